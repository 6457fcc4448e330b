-- title: 资金结余与闲置账龄 (各县各资金; K1 闲置按先进先出计龄)
-- column: county 县代码 text
-- column: name 县名 text
-- column: fund 资金 text
-- column: fund_year 预算年度 int
-- column: received 到位 money
-- column: spent 支出 money
-- column: balance 结余 money
-- column: idle_warn 闲置超预警期 money
-- column: idle_error 闲置超错误期 money
WITH flows AS (
  SELECT county, fund, MAX(fund_year) AS fund_year,
         -SUM(CASE WHEN role = 'receipt' THEN amount ELSE 0 END) AS received,
         SUM(CASE WHEN role = 'expense' THEN amount ELSE 0 END) AS spent,
         -SUM(amount) AS balance
  FROM fund_postings
  WHERE fund IS NOT NULL
  GROUP BY county, fund
),
idle AS (
  SELECT county, entity AS fund,
         SUM(CASE WHEN policy_key = 'idle-warn-months' THEN value_num ELSE 0 END) AS idle_warn,
         SUM(CASE WHEN policy_key = 'idle-error-months' THEN value_num ELSE 0 END) AS idle_error
  FROM measures
  WHERE rule = 'K1' AND entity <> ''
  GROUP BY county, entity
)
SELECT f.county, c.name, f.fund, f.fund_year, f.received, f.spent, f.balance,
       i.idle_warn, i.idle_error
FROM flows f
JOIN counties c ON c.county = f.county
LEFT JOIN idle i ON i.county = f.county AND i.fund = f.fund
ORDER BY i.idle_error DESC NULLS LAST, i.idle_warn DESC NULLS LAST, f.balance DESC, f.county, f.fund
