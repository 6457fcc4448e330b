-- title: 支出最多的村 (各年度前 20)
-- column: year 年度 int
-- column: rank 名次 int
-- column: county 县代码 text
-- column: township 乡镇 text
-- column: village 村 text
-- column: amount 支出金额 money
-- column: projects 项目数 int
-- column: households 到户户数 int
SELECT year, rank, county, township, village, amount, projects, households
FROM (
  SELECT year, county, township, village, SUM(amount) AS amount,
         COUNT(DISTINCT project) AS projects, COUNT(DISTINCT household) AS households,
         ROW_NUMBER() OVER (
           PARTITION BY year ORDER BY SUM(amount) DESC, county, township, village
         ) AS rank
  FROM postings
  WHERE role = 'expense' AND village IS NOT NULL
  GROUP BY year, county, township, village
) ranked
WHERE rank <= 20
ORDER BY year, rank
