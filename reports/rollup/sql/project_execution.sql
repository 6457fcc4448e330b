-- title: 项目执行 (各县各项目年度: 项目数、预算、已支付、已验收)
-- column: county 县代码 text
-- column: name 县名 text
-- column: year 项目年度 int
-- column: projects 项目数 int
-- column: accepted 已验收 int
-- column: budget 预算 money
-- column: spent 列支 money
-- column: paid 已支付 money
-- column: deposit_held 质保金未退 money
SELECT p.county, c.name, p.year, COUNT(*) AS projects,
       SUM(CASE WHEN p.accepted IS NOT NULL THEN 1 ELSE 0 END) AS accepted,
       SUM(p.budget) AS budget, SUM(p.spent) AS spent, SUM(p.paid) AS paid,
       SUM(p.deposit_held) AS deposit_held
FROM project_facts p
JOIN counties c ON c.county = p.county
GROUP BY p.county, c.name, p.year
ORDER BY p.year NULLS LAST, p.county
