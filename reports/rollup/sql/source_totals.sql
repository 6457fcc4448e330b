-- title: 资金到位合计 (按年度与资金来源)
-- column: year 年度 int
-- column: source 来源 text
-- column: counties 县数 int
-- column: receipts 笔数 int
-- column: received 到位金额 money
SELECT year, source, COUNT(DISTINCT county) AS counties, COUNT(*) AS receipts,
       -SUM(amount) AS received
FROM postings
WHERE role = 'receipt'
GROUP BY year, source
ORDER BY year, received DESC, source
