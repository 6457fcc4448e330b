-- title: 汇总的县级导出 (来源与校验)
-- column: county 县代码 text
-- column: name 县名 text
-- column: as_of 账簿截至 text
-- column: postings 分录数 int
-- column: ledger_sha256 账簿哈希 text
-- column: git_commit Git提交 text
-- column: git_dirty 未提交修改 bool
-- column: errors 账簿错误 int
SELECT county, name, as_of, postings, SUBSTRING(ledger_sha256, 1, 12) AS ledger_sha256,
       SUBSTRING(git_commit, 1, 10) AS git_commit, git_dirty, errors
FROM counties
ORDER BY county
