-- title: 资金到位合计 (按资金预算年度与来源; 净额, 退回另列)
-- column: year 预算年度 int
-- column: source 来源 source
-- column: counties 县数 int
-- column: funds 资金数 int
-- column: received 到位净额 money
-- column: returned 退回 money
SELECT year, key AS source, COUNT(DISTINCT county) AS counties,
       SUM(CASE WHEN kind = 'source' THEN 1 ELSE 0 END) AS funds,
       SUM(CASE WHEN kind = 'source' THEN amount ELSE 0 END) AS received,
       SUM(CASE WHEN kind = 'returned' THEN amount ELSE 0 END) AS returned
FROM fund_lines
WHERE kind IN ('source', 'returned')
GROUP BY year, key
ORDER BY year NULLS LAST, received DESC, source
