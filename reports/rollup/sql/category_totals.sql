-- title: 各类支出合计 (按资金预算年度与支出类别)
-- column: year 预算年度 int
-- column: category 类别 category
-- column: counties 县数 int
-- column: funds 资金数 int
-- column: amount 金额 money
SELECT year, key AS category, COUNT(DISTINCT county) AS counties, COUNT(*) AS funds,
       SUM(amount) AS amount
FROM fund_lines
WHERE kind = 'category'
GROUP BY year, key
ORDER BY year NULLS LAST, amount DESC, category
