"""The roll-up refuses exports it cannot trust, naming the file, with exit code 2."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from fupin.reports import parquet_format as fmt

from .conftest import run


def a_file(out: Path, table: str = "postings") -> Path:
    return sorted((out / table).glob("county=*/year=2021/*.parquet"))[0]


def refused(*args: str) -> str:
    code, text = run("rollup", *args)
    assert code == 2, text
    assert "Traceback" not in text
    return text


def test_untouched_exports_roll_up(exported_copy: Path) -> None:
    code, text = run("rollup", str(exported_copy), "--query", "exports")
    assert code == 0, text
    assert "990101" in text and "990104" in text


def test_an_altered_amount_is_refused_naming_the_file(exported_copy: Path) -> None:
    path = a_file(exported_copy)
    table = pq.read_table(path)  # keeps the file's fupin metadata
    amounts = table.column("amount").to_pylist()
    amounts[0] += Decimal("0.01")
    table = table.set_column(
        table.schema.get_field_index("amount"), "amount", pa.array(amounts, fmt.MONEY)
    )
    pq.write_table(table, path)
    text = refused(str(exported_copy))
    assert str(path) in text and "fupin.amount_total" in text and "导出后被改动" in text


def test_an_altered_measure_is_refused(exported_copy: Path) -> None:
    path = a_file(exported_copy, "measures")
    table = pq.read_table(path)
    table = table.set_column(
        table.schema.get_field_index("ok"), "ok", pc.invert(table.column("ok"))
    )
    pq.write_table(table, path)
    text = refused(str(exported_copy))
    assert str(path) in text and "fupin.row_digest" in text


def test_a_truncated_file_is_refused(exported_copy: Path) -> None:
    path = a_file(exported_copy)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    text = refused(str(exported_copy))
    assert str(path) in text and "无法读取的 Parquet 文件" in text


def test_dropped_rows_are_refused(exported_copy: Path) -> None:
    path = a_file(exported_copy)
    table = pq.read_table(path)
    pq.write_table(table.slice(1), path)
    text = refused(str(exported_copy))
    assert str(path) in text and "元数据记载" in text


def test_a_file_moved_to_another_county_is_refused(exported_copy: Path) -> None:
    path = a_file(exported_copy)
    other = exported_copy / "postings" / "county=990199" / "year=2021"
    other.mkdir(parents=True)
    shutil.move(path, other / path.name)
    text = refused(str(exported_copy))
    assert "990199" in text and "但目录为" in text


def test_an_incomplete_export_is_refused(exported_copy: Path) -> None:
    shutil.rmtree(exported_copy / "findings" / "county=990102")
    text = refused(str(exported_copy))
    assert "县 990102" in text and "缺少 findings 表" in text


def test_files_of_two_exports_are_refused(exported_copy: Path, exported: Path) -> None:
    # a county's measures replaced by another county's (renamed to look the part)
    src = a_file(exported, "measures")
    table = pq.read_table(src)
    meta = {k.decode(): v.decode() for k, v in table.schema.metadata.items()}
    target = exported_copy / "measures" / "county=990102" / "year=2021" / fmt.FILE_NAME
    meta[fmt.K_COUNTY] = "990102"
    pq.write_table(table.replace_schema_metadata(meta), target)
    text = refused(str(exported_copy))
    assert "县 990102" in text and "文件来自不同的导出" in text


def test_mixed_schema_versions_are_refused(exported_copy: Path) -> None:
    path = a_file(exported_copy, "measures")
    table = pq.read_table(path)
    meta = {k.decode(): v.decode() for k, v in table.schema.metadata.items()}
    meta[fmt.K_SCHEMA] = "3"
    pq.write_table(table.replace_schema_metadata(meta), path)
    text = refused(str(exported_copy))
    assert "导出格式版本不一致" in text and str(path) in text


def test_a_county_in_two_folders_is_refused(exported: Path, tmp_path: Path) -> None:
    copy = tmp_path / "again"
    shutil.copytree(exported, copy)
    text = refused(str(exported), str(copy))
    assert "多个目录" in text


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    text = refused(str(tmp_path))
    assert "没有县级导出" in text and "fupin export parquet" in text


def test_a_table_folder_named_instead_of_the_export_gets_a_hint(exported: Path) -> None:
    text = refused(str(exported / "postings"))
    assert f"name the export folder itself: {exported})" in text


def test_a_foreign_parquet_file_is_refused(exported_copy: Path) -> None:
    path = exported_copy / "postings" / "county=990101" / "year=2021" / "extra.parquet"
    pq.write_table(pa.table({"x": [1]}), path)
    text = refused(str(exported_copy))
    assert str(path) in text and "不是 fupin 导出文件" in text


def test_unknown_query_suggests_the_nearest(exported: Path) -> None:
    text = refused(str(exported), "--query", "industy_share")
    assert "没有名为 'industy_share' 的汇总" in text and "(did you mean) industry_share?" in text


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    code, text = run("rollup", str(tmp_path / "nope"))
    assert code == 2 and "nope: 不存在" in text


@pytest.mark.parametrize("args", [["--csv"], ["--json", "--csv", "--query", "exports"]])
def test_csv_needs_one_query(exported: Path, args: list[str]) -> None:
    code, text = run("rollup", str(exported), *args)
    assert code == 2 and ("--csv" in text) and "Traceback" not in text
