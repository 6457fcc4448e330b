-- title: 审计风险点 (各县, 按严重程度与金额排序)
-- column: county 县代码 text
-- column: name 县名 text
-- column: year 年度 int
-- column: red_flag 风险点 text
-- column: red_flag_name 名称 text
-- column: found_by 发现规则 text
-- column: severity 级别 severity
-- column: entity 对象 text
-- column: amount 涉及金额 money
-- column: date 日期 date
SELECT f.county, c.name, f.year, f.red_flag, f.red_flag_name, f.rule AS found_by, f.severity,
       f.entity, f.amount, f.date
FROM findings f
JOIN counties c ON c.county = f.county
WHERE f.red_flag IS NOT NULL
ORDER BY CASE WHEN f.severity = 'error' THEN 0 ELSE 1 END, f.amount DESC NULLS LAST, f.county,
         f.red_flag, f.rule, f.entity, f.date NULLS LAST, f.file, f.line
