-- title: 各类支出合计 (按年度与支出类别)
-- column: year 年度 int
-- column: category 类别 text
-- column: counties 县数 int
-- column: postings 笔数 int
-- column: amount 金额 money
SELECT year, category, COUNT(DISTINCT county) AS counties, COUNT(*) AS postings,
       SUM(amount) AS amount
FROM postings
WHERE role = 'expense'
GROUP BY year, category
ORDER BY year, amount DESC, category
