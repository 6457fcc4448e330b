# Two commands on a fresh machine: `make demo` and `make test`.
# Each creates .venv from pyproject.toml when it is missing (or older than it).
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
SYSSTAMP := $(VENV)/.sysdeps
export BEANCOUNT_DISABLE_LOAD_CACHE := 1

# `make test` = `make lint` (ruff check, ruff format --check, mypy) + pytest.
.PHONY: demo test lint bench sysdeps clean notices pictures bench-notices province bench-rollup reseal-sample bench-seals

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

# System packages the reports and browser tests need (CJK font, Chromium, poppler).
$(SYSSTAMP): scripts/sysdeps.sh | $(STAMP)
	bash scripts/sysdeps.sh
	@touch $(SYSSTAMP)

sysdeps: $(SYSSTAMP)

# The main job on the sample ledger: check it, print its compliance table, its asset
# register and red flags, and write its public notices (HTML + PDF) to out/notices.
# The sample's demo notice key (never committed; refused with any other ledger).
SAMPLE_KEY := ledger/register/notice-secret.key
$(SAMPLE_KEY): | $(STAMP)
	$(VENV)/bin/fupin keygen --sample

demo: $(STAMP) $(SYSSTAMP) $(SAMPLE_KEY)
	$(VENV)/bin/fupin check
	$(VENV)/bin/fupin compliance
	$(VENV)/bin/fupin assets
	$(VENV)/bin/fupin flags
	$(VENV)/bin/fupin notices --out out/notices
	@echo "公示公告已写入 out/notices/ (index.html)"
	$(MAKE) --no-print-directory province

# A small generated province (issue 16): four county ledgers, each exported to Parquet, then
# every roll-up across them (DuckDB) printed and written as one page to out/province.html.
PROVINCE := build/demo-province
province: $(STAMP)
	rm -rf $(PROVINCE)
	$(PY) scripts/gen_province.py 4 $(PROVINCE) --transactions 1500 --years 2
	tail -n +2 $(PROVINCE)/counties.csv | while IFS=, read -r code name ledger rest; do \
	  $(VENV)/bin/fupin export parquet $(PROVINCE)/$$ledger --county "$$code" --name "$$name" \
	    --out $(PROVINCE)/export || exit 1; done
	$(VENV)/bin/fupin rollup $(PROVINCE)/export
	$(VENV)/bin/fupin rollup $(PROVINCE)/export --html out/province.html

# every test runs: a skip (no Chromium, Java, nginx …) fails the run (tests/conftest.py)
test: lint $(SYSSTAMP) $(SAMPLE_KEY)
	FUPIN_NO_SKIP=1 $(VENV)/bin/pytest

# ruff (lint + format) and mypy --strict on the real fupin namespace (scripts/typecheck.py).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) scripts/typecheck.py

bench: $(STAMP)
	$(PY) scripts/bench_load.py
	$(PY) scripts/bench_import.py

clean:
	rm -rf $(VENV) build out *.egg-info

# The sample ledger's public notices (公示公告), HTML + PDF, with an index page (issue 8).
notices: $(STAMP) $(SYSSTAMP) $(SAMPLE_KEY)
	$(VENV)/bin/fupin notices --out out/notices
	@echo "open out/notices/index.html"

# The first page of one notice of each kind, for the README (docs/pictures/, 56 dpi).
PICTURES = fund_allocation:N-2021-F01 project_plan:N-2021-P001-V project_result:N-2021-R001-V \
	site_sign:N-2021-S001 income_plan:N-2022-IP01 income_result:N-2022-IR01 \
	card:N-2022-IR01-明白卡 beneficiaries:N-2022-B-SQ monitoring:N-2022-M-HW01 \
	monitoring_exit:N-2022-M-HW01X
pictures: notices
	@for pair in $(PICTURES); do \
	  pdf=$$(find out/notices -name "$${pair#*:}.pdf" | head -1); \
	  pdftoppm -r 56 -png -f 1 -l 1 -singlefile "$$pdf" docs/pictures/notice-$${pair%%:*}; \
	done
	@echo "docs/pictures/notice-*.png"

bench-notices: $(STAMP) $(SYSSTAMP)
	$(PY) scripts/bench_notices.py

# Export and roll-up benchmark (issue 16): 300k-transaction county, 10 and 100 counties.
bench-rollup: $(STAMP) $(SYSSTAMP)
	$(PY) scripts/bench_rollup.py

# issue 17: after a change of the sample's 2021 entries, re-make its evidence files and
# re-seal it through 2021-12 (the seal file is emptied, its digest lists removed).
reseal-sample: $(STAMP)
	: > ledger/seals.beancount
	rm -rf ledger/seals
	$(PY) scripts/make_evidence.py
	$(VENV)/bin/fupin seal ledger/main.beancount --through 2021-12 --date 2022-01-20

# issue 17: the CPU cost of verifying every seal, against the load (100k transactions).
bench-seals: $(STAMP)
	$(PY) scripts/bench_seals.py
