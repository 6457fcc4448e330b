-- title: 合规指标未达标 (各县, 错误在前)
-- column: county 县代码 text
-- column: name 县名 text
-- column: year 年度 int
-- column: rule 规则 text
-- column: title 指标 text
-- column: scope 范围 text
-- column: value 实测 measure
-- column: op 比较 op
-- column: threshold 阈值 measure
-- column: unit 单位 text
-- column: severity 级别 severity
-- column: policy_key 政策参数 text
SELECT m.county, c.name, m.year, m.rule, m.title, m.scope, m.value, m.op, m.threshold, m.unit,
       m.severity, m.policy_key
FROM measures m
JOIN counties c ON c.county = m.county
WHERE NOT m.ok
ORDER BY CASE WHEN m.severity = 'error' THEN 0 ELSE 1 END, m.rule, m.county,
         m.year NULLS LAST, m.scope, m.policy_key, m.title, m.value_num, m.threshold_num,
         m.value, m.threshold, m.file, m.line
