"""A county's hand-edited import configuration that does not run is named with its line, in
Chinese, and no traceback reaches the finance officer."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fupin.importers.ingest import ConfigError, load_config

from fupin.cli import main


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("CONFIG = [\n", ":1: 导入配置有语法错误: '[' was never closed"),
        ("X = 1\nimport nosuchmodule\n", ":2: 导入配置运行出错: ModuleNotFoundError"),
        ("CONFIG = [Importer()]\n", ":1: 导入配置运行出错: NameError"),
        ("CONFIG = 3\n", ": CONFIG 应为导入器 (beangulp importers) 的列表"),
    ],
)
def test_a_config_that_does_not_run(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "import_config.py"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert str(caught.value).startswith(f"{config}{message}")


def test_the_command_says_so_without_a_traceback(tmp_path: Path) -> None:
    config = tmp_path / "import_config.py"
    config.write_text("CONFIG = [\n", encoding="utf-8")
    statement = tmp_path / "a.csv"
    statement.write_text("x,y\n", encoding="utf-8")
    for command in ("identify", "extract"):
        result = CliRunner().invoke(main, ["import", command, "-c", str(config), str(statement)])
        assert result.exit_code == 2, result.output
        assert f"错误: {config}:1: 导入配置有语法错误" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_include_without_a_ledger_says_so_in_chinese(tmp_path: Path) -> None:
    statement = tmp_path / "a.csv"
    statement.write_text("x,y\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "extract", "--include", str(statement)])
    assert result.exit_code == 2
    assert "--include 须与 --existing (-e) 和 --output (-o) 一同使用" in result.output
