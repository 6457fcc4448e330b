-- title: 审计风险点在各县的重复出现 (按县数)
-- column: red_flag 风险点 text
-- column: red_flag_name 名称 text
-- column: counties 县数 int
-- column: flags 个数 int
-- column: errors 错误数 int
-- column: amount 涉及金额合计 money
SELECT red_flag, red_flag_name, COUNT(DISTINCT county) AS counties, COUNT(*) AS flags,
       SUM(CASE WHEN severity = 'error' THEN 1 ELSE 0 END) AS errors, SUM(amount) AS amount
FROM findings
WHERE red_flag IS NOT NULL
GROUP BY red_flag, red_flag_name
ORDER BY counties DESC, amount DESC NULLS LAST, red_flag, red_flag_name
