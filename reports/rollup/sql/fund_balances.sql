-- title: 资金结余与闲置账龄 (各县各资金, 截至账簿最后日期; K1 闲置按先进先出计龄)
-- column: county 县代码 text
-- column: name 县名 text
-- column: fund 资金 text
-- column: year 预算年度 int
-- column: received 到位 money
-- column: spent 支出 money
-- column: balance 结余 money
-- column: idle 未使用 money
-- column: idle_since 最早未用到位日 date
-- column: idle_warn 闲置超预警期 money
-- column: idle_error 闲置超错误期 money
WITH idle AS (
  SELECT county, entity AS fund,
         SUM(CASE WHEN policy_key = 'idle-warn-months' THEN value_num ELSE 0 END) AS idle_warn,
         SUM(CASE WHEN policy_key = 'idle-error-months' THEN value_num ELSE 0 END) AS idle_error
  FROM measures
  WHERE rule = 'K1' AND entity <> ''
  GROUP BY county, entity
)
SELECT f.county, c.name, f.fund, f.year, f.received, f.spent, f.balance, f.idle, f.idle_since,
       i.idle_warn, i.idle_error
FROM fund_facts f
JOIN counties c ON c.county = f.county
LEFT JOIN idle i ON i.county = f.county AND i.fund = f.fund
ORDER BY i.idle_error DESC NULLS LAST, i.idle_warn DESC NULLS LAST, f.idle DESC NULLS LAST,
         f.county, f.fund
