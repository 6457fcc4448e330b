-- title: 未达标指标按规则汇总 (反复出现的问题)
-- column: rule 规则 text
-- column: severity 级别 severity
-- column: counties 县数 int
-- column: breaches 项数 int
SELECT rule, severity, COUNT(DISTINCT county) AS counties, COUNT(*) AS breaches
FROM measures
WHERE NOT ok
GROUP BY rule, severity
ORDER BY counties DESC, breaches DESC, rule, severity
