-- title: 产业发展资金占比 各年度汇总 (低于阈值的县数)
-- column: year 年度 int
-- column: counties 县数 int
-- column: below 低于阈值县数 int
-- column: lowest 最低占比 pct
-- column: highest 最高占比 pct
SELECT year, COUNT(*) AS counties, SUM(CASE WHEN ok THEN 0 ELSE 1 END) AS below,
       MIN(value_num) AS lowest, MAX(value_num) AS highest
FROM measures
WHERE rule = 'B02'
GROUP BY year
ORDER BY year NULLS LAST
