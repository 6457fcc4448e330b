-- title: 产业发展资金占比 (各县各年度, 对照阈值; B02: 该年度财政资金, 截至账簿最后日期)
-- column: year 年度 int
-- column: county 县代码 text
-- column: name 县名 text
-- column: share 产业占比 pct
-- column: op 比较 op
-- column: threshold 阈值 pct
-- column: ok 结果 ok
-- column: severity 级别 severity
-- column: as_of 账簿截至 text
SELECT m.year, m.county, c.name, m.value_num AS share, m.op, m.threshold_num AS threshold,
       m.ok, m.severity, c.as_of
FROM measures m
JOIN counties c ON c.county = m.county
WHERE m.rule = 'B02'
ORDER BY m.year NULLS LAST, m.value_num, m.county
