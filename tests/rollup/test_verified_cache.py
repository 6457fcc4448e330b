"""A file whose exact bytes passed the content checks before is not verified again.

Each test counts the files whose row digest DuckDB computes (and the SHA-256 passes), over
real exports with real DuckDB, in a cache folder of its own.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fupin.reports import parquet_format as fmt
from fupin.reports.rollup import dataset, verified

from .conftest import run


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("FUPIN_CACHE_DIR", str(folder))
    monkeypatch.delenv("FUPIN_CACHE", raising=False)
    return folder


@pytest.fixture
def digested(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file whose checks (row digest) or SHA-256 of values the roll-up computes."""
    seen: list[Path] = []
    sums, sha = dataset._table_sums, dataset._verify_digest

    def table_sums(con: object, table: str, files: list[dataset.ExportFile]) -> object:
        seen.extend(f.path for f in files)
        return sums(con, table, files)

    def verify_digest(file: dataset.ExportFile) -> None:
        seen.append(file.path)
        sha(file)

    monkeypatch.setattr(dataset, "_table_sums", table_sums)
    monkeypatch.setattr(dataset, "_verify_digest", verify_digest)
    return seen


def files_of(out: Path) -> list[Path]:
    return sorted(out.glob("*/county=*/year=*/*.parquet"))


def rollup(out: Path, *args: str) -> str:
    code, text = run("rollup", str(out), *args)
    assert code == 0, text
    return text


def test_a_second_rollup_computes_no_row_digest_and_says_so(
    exported_copy: Path, cache_dir: Path, digested: list[Path]
) -> None:
    files = files_of(exported_copy)
    first = rollup(exported_copy, "--json")
    assert sorted(digested) == files
    digested.clear()
    second = rollup(exported_copy, "--json")
    assert digested == []
    one, two = json.loads(first), json.loads(second)
    assert one.pop("verified_files") == {
        "files": len(files), "verified_now": len(files), "known_verified": 0,
    }  # fmt: skip
    assert two.pop("verified_files") == {
        "files": len(files), "verified_now": 0, "known_verified": len(files),
    }  # fmt: skip
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)
    text = rollup(exported_copy)
    assert f"已核验 {len(files)} 个文件 (其中 {len(files)} 个此前已核验, 内容未变)" in text
    assert digested == []


def _rewrite(path: Path, table: pa.Table) -> None:
    """Plain encoding, no compression: a swap of two values keeps the file's size."""
    pq.write_table(table, path, compression="none", use_dictionary=False)


def test_a_file_altered_after_a_passing_rollup_is_refused(
    exported_copy: Path, cache_dir: Path, digested: list[Path]
) -> None:
    path = sorted((exported_copy / "postings").glob("county=*/year=2021/*.parquet"))[0]
    table = pq.read_table(path, partitioning=None)
    _rewrite(path, table)  # the same content, written so that a swap keeps its size
    rollup(exported_copy)
    assert path in digested
    amounts = table.column("amount").to_pylist()
    at = next(i for i, a in enumerate(amounts) if a != amounts[0])
    amounts[0], amounts[at] = amounts[at], amounts[0]
    swapped = table.set_column(
        table.schema.get_field_index("amount"), "amount", pa.array(amounts, fmt.MONEY)
    )
    before = path.stat()
    _rewrite(path, swapped)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # even its time is kept
    assert path.stat().st_size == before.st_size
    digested.clear()
    code, text = run("rollup", str(exported_copy))
    assert code == 2 and "Traceback" not in text, text
    assert str(path) in text and fmt.K_ROW_DIGEST in text and "导出后被改动" in text
    assert digested.count(path) == 1
    digested.clear()
    code, _ = run("rollup", str(exported_copy))  # a failure is never kept as passed
    assert code == 2 and path in digested


def test_a_record_of_another_code_version_is_a_miss(
    exported_copy: Path, cache_dir: Path, digested: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = files_of(exported_copy)
    real = verified.code_tag()
    monkeypatch.setattr(verified, "code_tag", lambda: "an older row_digest.py")
    rollup(exported_copy)
    assert len(list(cache_dir.glob("*.passed"))) == len(files)
    monkeypatch.setattr(verified, "code_tag", lambda: real)
    digested.clear()
    rollup(exported_copy)
    assert sorted(digested) == files
    digested.clear()
    rollup(exported_copy)
    assert digested == []


def test_with_the_cache_off_every_run_verifies_every_file(
    exported_copy: Path, cache_dir: Path, digested: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = files_of(exported_copy)
    rollup(exported_copy)
    digested.clear()
    rollup(exported_copy)
    assert digested == []  # on: known verified
    monkeypatch.setenv("FUPIN_CACHE", "off")
    for _ in range(2):
        digested.clear()
        text = rollup(exported_copy)
        assert sorted(digested) == files
        assert f"已核验 {len(files)} 个文件\n" in text


def test_a_corrupted_record_is_a_miss_not_an_error(
    exported_copy: Path, cache_dir: Path, digested: list[Path]
) -> None:
    files = files_of(exported_copy)
    rollup(exported_copy)
    records = sorted(cache_dir.glob("*.passed"))
    assert len(records) == len(files)
    records[0].write_bytes(b"")
    records[1].write_bytes(records[1].read_bytes()[:7])
    for record in records[2:]:
        record.write_bytes(b"\x80\x04not json at all\xff")
    digested.clear()
    rollup(exported_copy)
    assert sorted(digested) == files
    digested.clear()
    rollup(exported_copy)  # the records were written again
    assert digested == []


def test_verify_all_ignores_the_records(
    exported_copy: Path, cache_dir: Path, digested: list[Path]
) -> None:
    files = files_of(exported_copy)
    rollup(exported_copy)
    digested.clear()
    rollup(exported_copy, "--verify-all")
    assert sorted(digested) == sorted(files * 2)  # row digest and SHA-256 of every file
