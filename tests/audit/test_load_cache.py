"""``bean-check`` run twice: Beancount's pickle cache must not hide a change the seals see.

Beancount keeps a load's result, the plugin's errors included, in ``.<main>.picklecache``
and reuses it while the included ``.beancount`` files keep their time and size. The digest
lists and evidence files are read by the plugin, outside that list: a second ``bean-check``
after replacing an evidence file or editing a digest list answered from the cache, clean.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from audit_helpers import check

#: ``bean-check`` with Beancount's cache on, written whatever the load took (its threshold
#: is one second: on a fast machine the sample would not be cached and the test would pass
#: without the cache)
CACHED_BEAN_CHECK = (
    "import sys; from beancount import loader; loader.PICKLE_CACHE_THRESHOLD = 0; "
    "loader.initialize(use_cache=True); from beancount.scripts.check import main; "
    "sys.argv = ['bean-check', sys.argv[1]]; main()"
)


def cached_bean_check(main: Path) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "BEANCOUNT_DISABLE_LOAD_CACHE"}
    done = subprocess.run(
        [sys.executable, "-c", CACHED_BEAN_CHECK, str(main)],
        capture_output=True,
        text=True,
        env=env,
        cwd=main.parent,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout + done.stderr


def warm(main: Path) -> None:
    code, out = cached_bean_check(main)
    assert code == 0, out
    assert (main.parent / f".{main.name}.picklecache").is_file()


def test_a_replaced_evidence_file_fails_the_second_bean_check(sample: Path) -> None:
    warm(sample)
    pdf = sample.parent / "documents" / "P-2021-001" / "2021-01-09-proposed-resolution.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n% replaced\n")
    code, out = cached_bean_check(sample)
    assert code == 1, out
    assert "A04 error: 证据文件哈希不符 (封存期 2021-12)" in out
    assert "P-2021-001/2021-01-09-proposed-resolution.pdf" in out


def test_a_removed_evidence_file_fails_the_second_bean_check(sample: Path) -> None:
    warm(sample)
    (sample.parent / "documents" / "P-2021-001" / "2021-01-09-proposed-resolution.pdf").unlink()
    code, out = cached_bean_check(sample)
    assert code == 1, out
    assert "A04 error: 证据文件缺失" in out


def test_an_edited_digest_list_fails_the_second_bean_check(sample: Path) -> None:
    warm(sample)
    digests = sample.parent / "seals" / "2021-12.digests"
    digests.write_bytes(digests.read_bytes() + b"# note\n")
    code, out = cached_bean_check(sample)
    assert code == 1, out
    assert "A02 error: 封存摘要清单被改动 — 封存期 2021-12" in out


def test_a_digest_list_no_seal_names_fails_the_second_bean_check(sample: Path) -> None:
    warm(sample)
    folder = sample.parent / "seals"
    (folder / "2020-12.digests").write_bytes((folder / "2021-12.digests").read_bytes())
    code, out = cached_bean_check(sample)
    assert code == 1, out
    assert "A02 error: 摘要清单无对应的封存记录 — 封存期 2020-12" in out


def test_an_unchanged_ledger_is_still_read_from_the_cache(sample: Path) -> None:
    warm(sample)
    cache = sample.parent / f".{sample.name}.picklecache"
    before = cache.stat().st_mtime_ns
    code, out = cached_bean_check(sample)
    assert code == 0, out
    assert cache.stat().st_mtime_ns == before  # a hit: not written again


def test_fupin_and_uncached_loads_keep_their_include_list(sample: Path) -> None:
    """Only a load through Beancount's cache lists the digest lists and evidence files."""
    from fava.beans.load import load_uncached

    from fupin.load import load

    loaded = load(sample)
    assert all(name.endswith(".beancount") for name in loaded.options["include"])
    _entries, _errors, options = load_uncached(str(sample), is_encrypted=False)  # Fava's
    assert all(name.endswith(".beancount") for name in options["include"])
    assert check(sample)[0] == 0


def test_a_register_broken_after_the_first_bean_check_fails_the_second(sample: Path) -> None:
    """The household register is read by the plugin, not included: a household listed twice
    after a clean bean-check is seen by the next one, not answered from the cache."""
    warm(sample)
    register = sample.parent / "register" / "households.csv"
    lines = register.read_text(encoding="utf-8").splitlines()
    register.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    code, out = cached_bean_check(sample)
    assert code == 1, out
    assert "重复 (第 2 行已有)" in out
