"""fupin's beangulp importers: bank statements, payment rolls, allocation sheets.

* :class:`~fupin.importers.statement.StatementImporter`: a fund account's bank statement
  in a bank layout (``presets/*.toml``: rcb 县农商行, icbc 工商银行, ccb 建设银行, abc 农业银行);
* :class:`~fupin.importers.roll.RollImporter`: the 惠民惠农"一卡通" payment roll, households
  matched to pseudonymous ids through the private register;
* :class:`~fupin.importers.allocation.AllocationImporter`: the 资金下达 allocation table.

All write all or nothing and de-duplicate exactly on their source keys
(:mod:`fupin.importers.dedupe`); ``fupin import`` drives them (:mod:`fupin.importers.cli`).
"""
