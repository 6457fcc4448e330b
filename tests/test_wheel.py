"""The built wheel, installed without extras into a fresh venv, runs the main jobs.

What a county gets from ``pip install fupin-ledger``: the wheel is built from this tree
(build isolation: the setuptools that pyproject names), installed with its runtime
dependencies only, and then, outside the repository: every file of the package folders is in
the wheel; every command and its ``--help`` runs on the shipped sample (no ledger named) with
site-packages read-only and unchanged; ``fupin init`` lays out a county that ``fupin check``
and ``bean-check`` pass and every command runs on; ``fupin serve`` answers in Chinese; wrong
input gets a Chinese message and no traceback. The build must print no setuptools warning.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import time
import tomllib
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEFTOVERS = (".git", ".venv", "build", "*.egg-info", "__pycache__", ".*_cache", "out")

#: where each source folder lands in the wheel (pyproject's package-dir)
PACKAGE_DIRS = {
    "ledger/audit-sample/": "fupin/sample/audit_sample/",
    "ledger/": "fupin/sample/",
    "plugins/": "fupin/plugins/",
    "reports/": "fupin/reports/",
    "importers/": "fupin/importers/",
    "fupin/": "fupin/",
}
#: run in the venv: the third-party modules the installed package imports whose
#: distribution its metadata does not name (a dependency that only arrives through another)
UNDECLARED = """
import ast, re, sys, importlib.metadata as md
from pathlib import Path
import fupin
declared = {re.split(r"[ ;<>=!~\\[(]", r)[0].lower().replace("_", "-")
            for r in md.requires("fupin-ledger")}
owners = md.packages_distributions()
found = set()
for path in Path(fupin.__file__).parent.rglob("*.py"):
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
print(sorted(m for m in found - set(sys.stdlib_module_names) - {"fupin"}
             if not {d.lower().replace("_", "-") for d in owners.get(m, [m])} & declared))
"""

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, code: int = 0) -> str:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == code, f"{args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert "Traceback" not in out, f"{args}\n{out[-3000:]}"
    return out


def shipped(tracked: list[str]) -> set[str]:
    """The wheel paths of the tracked files that must ship (every file of the package
    folders but the notice keys, which never do)."""
    names = set()
    for name in tracked:
        if name.endswith(".key") or "/__pycache__/" in name:
            continue
        for folder, package in PACKAGE_DIRS.items():
            if name.startswith(folder):
                names.add(package + name.removeprefix(folder))
                break
    return names


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built once from a clean copy of the tree."""
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    # a clean copy of the tree: no stale build/ or egg-info of earlier builds in the wheel
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*LEFTOVERS))
    log = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", dist, source, cwd=tmp)
    lines = [line for line in log.splitlines() if "Warning" in line and "setuptools" in line]
    assert lines == [], "\n".join(lines)
    (wheel,) = dist.glob("fupin_ledger-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "fupin/sample/main.beancount" in names
    assert "fupin/sample/audit_sample/main.beancount" in names
    assert "fupin/template/main.beancount.j2" in names
    assert "fupin/reports/templates/notices/page.html" in names
    assert "fupin/reports/fava/FupinCompliance.js" in names
    assert "fupin/reports/fava/templates/FupinFunds.html" in names
    assert "fupin/reports/fava/proxy/auth-proxy.md" in names  # what `fupin serve --help` names
    assert "fupin/reports/fava/proxy/nginx-fupin.conf" in names
    assert not [n for n in names if n.endswith("notice-secret.key")]  # never a key
    # every tracked file of the package folders ships (a template, a preset, the sample's
    # import configuration, an evidence PDF): nothing the installed commands read is missing
    tracked = run("git", "-C", ROOT, "ls-files", "-z", *PACKAGE_DIRS, cwd=tmp)
    assert sorted(shipped(tracked.split("\0")) - set(names)) == []
    # only the fupin namespace (no top-level ledger/, plugins/, reports/ in site-packages)
    assert {n.split("/")[0] for n in names if not n.endswith(".dist-info/RECORD")} == {
        "fupin",
        wheel.name.removesuffix("-py3-none-any.whl") + ".dist-info",
    }
    return wheel


def install(wheel: Path, tmp: Path, *pip_args: str | Path) -> tuple[Path, Path]:
    """A fresh venv in ``tmp`` with the wheel and its runtime dependencies only:
    (its bin folder, a working folder outside the repository)."""
    venv.create(tmp / "venv", with_pip=True)
    bin_dir = tmp / "venv" / "bin"
    run(bin_dir / "python", "-m", "pip", "install", "-q", *pip_args, wheel, cwd=tmp)
    (tmp / "work").mkdir()
    return bin_dir, tmp / "work"


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the venv's bin folder, a working folder outside the repository)."""
    return install(wheel, tmp_path_factory.mktemp("installed"))


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def site_packages(bin_dir: Path) -> Path:
    (folder,) = (bin_dir.parent / "lib").glob("python3*/site-packages")
    return folder


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``folder`` with its size and modification time."""
    out = {}
    for path in folder.rglob("*"):
        if path.is_file():
            info = path.stat()
            out[str(path.relative_to(folder))] = (info.st_size, info.st_mtime_ns)
    return out


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` made read-only (chmod -R a-w) for the block; its listing must not change
    (which also catches a write by root, whom the mode does not stop)."""
    before = listing(folder)
    modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")] if not p.is_symlink()}
    for path in modes:
        path.chmod(modes[path] & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        yield
    finally:
        for path, mode in reversed(modes.items()):
            path.chmod(mode)
    after = listing(folder)
    assert sorted(set(after) ^ set(before)) == []
    assert [name for name in before if before[name] != after[name]] == []


def test_no_test_extras_installed(installed: tuple[Path, Path]) -> None:
    bin_dir, work = installed
    out = run(bin_dir / "python", "-m", "pip", "list", "--format=freeze", cwd=work)
    names = {line.split("==")[0].lower() for line in out.splitlines()}
    assert "pypdf" in names and "fupin-ledger" in names
    assert not names & {"pytest", "playwright", "mypy", "ruff"}
    assert "No broken requirements" in run(bin_dir / "python", "-m", "pip", "check", cwd=work)
    script = (
        "from importlib.metadata import distribution\n"
        "import fupin.plugins, fupin.reports.fava, fupin.importers\n"
        "print(sorted((e.group, e.name, e.value) for e in distribution('fupin-ledger')"
        ".entry_points))"
    )
    out = run(bin_dir / "python", "-c", script, cwd=work, env=env())
    assert out.strip() == "[('console_scripts', 'fupin', 'fupin.cli:main')]"
    out = run(bin_dir / "python", "-c", UNDECLARED, cwd=work, env=env())
    assert out.strip() == "[]", "imported but not in the wheel's dependencies: " + out


def test_every_command_runs_on_the_shipped_sample_and_writes_nothing_there(
    installed: tuple[Path, Path],
) -> None:
    bin_dir, work = installed
    fupin, here, e = bin_dir / "fupin", work / "sample", env()
    here.mkdir()
    samples = site_packages(bin_dir) / "fupin" / "importers" / "samples"
    with read_only(site_packages(bin_dir)):
        commands, todo, helps = [], [""], {}
        while todo:  # every command ``fupin --help`` lists, and each group's commands
            command = todo.pop()
            out = helps[command] = run(fupin, *command.split(), "--help", cwd=here, env=e)
            assert out.startswith(f"用法: fupin {command}".rstrip()) and "选项:" in out, out
            assert "Show this message" not in out and "Usage:" not in out
            listed = out.partition("\n命令:\n")[2].splitlines()
            todo += [
                f"{command} {line.split()[0]}".strip()
                for line in listed
                if line.startswith("  ") and line[2] != " "
            ]
            commands.append(command)
        assert {"check", "init", "serve", "import extract", "export parquet"} <= set(commands)
        # a help names only what an installed fupin has: no file of the source tree's docs/,
        # and the proxy guide that serve's help points to prints the files the wheel ships
        assert [c for c, text in helps.items() if "docs/" in text] == []
        proxy = site_packages(bin_dir) / "fupin" / "reports" / "fava" / "proxy"
        assert "(见--proxy-guide)" in "".join(helps["serve"].split())
        for flag, name in (
            ("--proxy-guide", "auth-proxy.md"),
            ("--nginx-example", "nginx-fupin.conf"),
        ):
            assert flag in helps["serve"]
            assert run(fupin, "serve", flag, cwd=here, env=e) == (proxy / name).read_text("utf-8")
        out = run(fupin, "check", cwd=here, env=e)
        summary = out.strip().splitlines()[-1]  # after the sample's one warning (B30)
        assert "site-packages/fupin/sample/main.beancount" in summary, out
        assert summary.endswith(" 条记录, 0 个错误, 1 个警告") and "B30 warning" in out, out
        sample = Path(summary.split(": ")[0])
        assert run(bin_dir / "bean-check", sample, cwd=here, env=e) == ""
        for command in ("compliance", "assets", "households", "projects"):
            out = run(fupin, command, "--xlsx", f"{command}.xlsx", cwd=here, env=e)
            assert f"已写入 {command}.xlsx" in out
            assert zipfile.is_zipfile(here / f"{command}.xlsx")
        flags = run(fupin, "flags", cwd=here, env=e)  # the late notice's audit flag alone
        assert "K10   公告公示未落实" in flags and "1 个风险点: 0 错误, 1 警告" in flags, flags
        assert "1 个封存, 0 个错误" in run(fupin, "audit", cwd=here, env=e)
        # the sample's demo key goes where the user says, never beside the installed sample
        out = run(fupin, "notices", "--out", "n", cwd=here, env=e, code=1)
        assert "fupin keygen --sample --out demo.key" in out and "site-packages" not in out
        out = run(fupin, "keygen", "--sample", cwd=here, env=e, code=2)
        assert "示例账簿随软件安装在" in out and "--out demo.key" in out
        run(fupin, "keygen", "--sample", "--out", "demo.key", cwd=here, env=e)
        out = run(fupin, "notices", "--out", "n", "--secret-file", "demo.key", cwd=here, env=e)
        assert "份公示公告" in out and list((here / "n").rglob("*.pdf"))
        assert "→ pq/" in run(fupin, "export", "parquet", "--out", "pq", cwd=here, env=e)
        assert "1 个县" in run(fupin, "rollup", "pq", "--html", "r.html", cwd=here, env=e)
        bank = samples / "rcb-xj2022-2022-11-12.csv"
        out = run(fupin, "import", "identify", bank, cwd=here, env=e)
        assert "fupin.statement.rcb:Assets:Treasury:XJ-2022" in out
        assert "条新记录" in run(fupin, "import", "extract", bank, cwd=here, env=e)
        assert "arch/Assets/Treasury/XJ-2022/" in run(
            fupin, "import", "archive", "-n", "-o", "arch", bank, cwd=here, env=e
        )
        # nothing is written, appended or moved into the package: each says so in Chinese
        refused = {
            "不能在那里封存": ["seal", "--through", "2024-06"],
            "不能在那里修改账簿": ["serve", "--editable"],
            "不能在那里追加更正分录": [
                "correct",
                sample,
                "xianjie-2021.beancount:9",
                "--append",
                sample.parent / "x",
            ],
            "不能在那里写入导入记录": [
                "import",
                "extract",
                "-e",
                sample,
                "-o",
                "new.beancount",
                "-i",
                bank,
            ],
            "示例文件不能归档": ["import", "archive", "-o", "arch", bank],
        }
        for message, args in refused.items():
            assert message in run(fupin, *args, cwd=here, env=e, code=2), args
        with served(fupin, None, here) as url:  # Fava on the read-only sample, its charts
            bodies = pages_answer_in_chinese(url)
            assert "<svg" in bodies["FupinFunds"] and "<svg" in bodies["FupinCompliance"]


@contextmanager
def served(fupin: Path, ledger: str | None, cwd: Path) -> Iterator[str]:
    """``fupin serve [LEDGER]`` on a free port until the block ends: the URL ``/`` sent to."""
    port = free_port()
    server = subprocess.Popen(
        [fupin, "serve", *([ledger] if ledger else []), "--port", str(port)],
        cwd=cwd,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(120):
            try:
                status, url, body = get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                assert server.poll() is None, server.communicate()[0]
                time.sleep(0.5)
        else:
            raise AssertionError("fupin serve did not answer")
        assert status == 200 and url.endswith("/extension/FupinCompliance/"), url
        assert "<title>合规 - " in body
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


#: each fupin page of Fava and its heading
PAGES = {
    "FupinCompliance": "合规检查",
    "FupinFunds": "资金",
    "FupinProjects": "项目库",
    "FupinAssets": "扶贫项目资产台账",
    "FupinHouseholds": "农户",
    "FupinNotices": "公示公告",
    "FupinAudit": "审计留痕",
}


def pages_answer_in_chinese(url: str) -> dict[str, str]:
    """Each fupin page, its script and an Excel download answer (the pages' bodies)."""
    base = url.removesuffix("FupinCompliance/")
    bodies = {}
    for page, heading in PAGES.items():
        status, _, bodies[page] = get(f"{base}{page}/")
        assert status == 200 and f"<h2>{heading}" in bodies[page], page
    status, _, body = get(f"{base}FupinCompliance/xlsx?table=compliance")
    assert status == 200 and body.startswith("PK")
    status, _, body = get(
        base.removesuffix("extension/") + "extension_js_module/FupinCompliance.js"
    )
    assert status == 200 and "export default" in body
    return bodies


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> tuple[int, str, str]:
    """(status, final URL, body) of a GET that follows redirects."""
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.status, answer.url, answer.read().decode(errors="replace")


def test_readme_new_county_then_every_command_and_serve(installed: tuple[Path, Path]) -> None:
    """The README's 新县上手 steps, then every command on the new county, Fava's pages in
    Chinese, and wrong input answered in Chinese without a traceback."""
    bin_dir, work = installed
    fupin, e = bin_dir / "fupin", env()
    run(
        fupin,
        "init",
        "qinghe",
        "--county",
        "清河县",
        "--code",
        "130534",
        "--years",
        "2024-2025",
        cwd=work,
        env=e,
    )
    county, ledger = work / "qinghe", "qinghe/main.beancount"
    key = county / "register" / "notice-secret.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert "0 个错误, 0 个警告" in run(fupin, "check", ledger, cwd=work, env=e)
    assert run(bin_dir / "bean-check", ledger, cwd=work, env=e) == ""
    # bean-check runs the rules from the wheel: a policy value out of range fails a copy
    shutil.copytree(county, work / "breach")
    with (work / "breach" / "policy.beancount").open("a", encoding="utf-8") as policy:
        policy.write('2025-06-01 custom "policy" "industry-share-min" 1.5\n')
    out = run(bin_dir / "bean-check", "breach/main.beancount", cwd=work, env=e, code=1)
    assert "POLICY error: industry-share-min = 1.5" in out
    for command in ("compliance", "assets", "households", "projects"):
        run(fupin, command, ledger, cwd=work, env=e)
        assert "已写入" in run(
            fupin, command, ledger, "--xlsx", f"q-{command}.xlsx", cwd=work, env=e
        )
    assert "未发现审计风险点" in run(fupin, "flags", ledger, cwd=work, env=e)
    out = run(fupin, "notices", ledger, "--out", "qn", "--format", "html,pdf", cwd=work, env=e)
    assert "份公示公告" in out and (work / "qn" / "index.html").is_file()
    assert "已有密钥, 不覆盖" in run(fupin, "keygen", ledger, cwd=work, env=e, code=1)
    assert "县 130534" in run(fupin, "export", "parquet", ledger, "--out", "pq", cwd=work, env=e)
    assert "1 个县" in run(fupin, "rollup", "pq", cwd=work, env=e)
    bank = site_packages(bin_dir) / "fupin" / "importers" / "samples" / "rcb-xj2022-2022-11-12.csv"
    config = "qinghe/import_config.py"
    out = run(fupin, "import", "identify", "-c", config, bank, cwd=work, env=e)
    assert "fupin.statement.rcb:Assets:Treasury:XJ-2025" in out
    assert "条新记录" in run(fupin, "import", "extract", "-c", config, bank, cwd=work, env=e)
    assert "已封存 2024-12" in run(fupin, "seal", ledger, "--through", "2024-12", cwd=work, env=e)
    assert "1 个封存, 0 个错误" in run(fupin, "audit", ledger, cwd=work, env=e)
    assert run(bin_dir / "bean-check", ledger, cwd=work, env=e) == ""
    out = run(fupin, "correct", ledger, "nowhere:1", cwd=work, env=e, code=2)
    assert "nowhere:1: 没有这样的交易" in out

    with served(fupin, ledger, work) as url:
        _, _, body = get(url)
        assert "<title>合规 - 清河县衔接资金与扶贫资产台账" in body
        pages_answer_in_chinese(url)

    # wrong input: Chinese, exit code 2, no traceback (run() refuses one)
    out = run(fupin, "check", "nowhere/main.beancount", cwd=work, env=e, code=2)
    assert "nowhere/main.beancount: 找不到账簿文件" in out
    (work / "broken.beancount").write_text(
        '2024-01-01 open Assets:A\n2024-01-02 * "x"\n  bad line\n'
    )
    out = run(fupin, "check", "broken.beancount", cwd=work, env=e, code=2)
    assert "broken.beancount: 无法解析" in out and "broken.beancount:3" in out
    assert "错误: 没有选项 --frob" in run(fupin, "check", "--frob", cwd=work, env=e, code=2)
    assert "错误: 没有命令 frob" in run(fupin, "frob", cwd=work, env=e, code=2)
    assert "错误: 缺少参数 DIRS..." in run(fupin, "rollup", cwd=work, env=e, code=2)
    assert "nowhere: 不存在" in run(fupin, "rollup", "nowhere", cwd=work, env=e, code=2)
    assert "LEDGER: qinghe: 是文件夹" in run(fupin, "check", "qinghe", cwd=work, env=e, code=2)
    (work / "bad_config.py").write_text("CONFIG = [\n", encoding="utf-8")
    out = run(fupin, "import", "identify", "-c", "bad_config.py", bank, cwd=work, env=e, code=2)
    assert "bad_config.py:1: 导入配置有语法错误" in out


LOWEST = ROOT / "tests" / "wheel_lowest.txt"


def pins() -> dict[str, str]:
    lines = LOWEST.read_text(encoding="utf-8").splitlines()
    return dict(line.split("==") for line in lines if line and not line.startswith("#"))


def test_the_lowest_pins_are_the_lower_bounds() -> None:
    """Each runtime dependency is pinned at its lower bound (or the first release after it)."""
    from packaging.requirements import Requirement
    from packaging.version import Version

    with (ROOT / "pyproject.toml").open("rb") as handle:
        declared = [Requirement(r) for r in tomllib.load(handle)["project"]["dependencies"]]
    found = pins()
    names = sorted(r.name.lower() for r in declared)
    assert sorted(found) == names, f"pin each dependency's lowest release in {LOWEST.name}"
    for requirement in declared:
        pin = Version(found[requirement.name.lower()])
        (bound,) = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
        assert pin in requirement.specifier, requirement
        assert pin.release[: len(bound.release)] == bound.release, (requirement, pin)


def test_the_lowest_dependencies_run_the_main_jobs(
    wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A county whose mirror has only the oldest releases pyproject allows: the main jobs
    still run (a lower bound that is too low fails here, not at the county)."""
    bin_dir, work = install(wheel, tmp_path_factory.mktemp("lowest"), "-c", LOWEST)
    fupin, e = bin_dir / "fupin", env()
    out = run(bin_dir / "python", "-m", "pip", "list", "--format=freeze", cwd=work)
    versions = dict(line.lower().split("==") for line in out.splitlines() if "==" in line)
    assert {name: versions.get(name) for name in pins()} == pins()
    assert "0 个错误" in run(fupin, "check", cwd=work, env=e)
    assert "已写入" in run(fupin, "compliance", "--xlsx", "c.xlsx", cwd=work, env=e)
    assert "错误: 没有选项 --frob" in run(fupin, "check", "--frob", cwd=work, env=e, code=2)
    run(fupin, "keygen", "--sample", "--out", "demo.key", cwd=work, env=e)
    out = run(fupin, "notices", "--out", "n", "--secret-file", "demo.key", cwd=work, env=e)
    assert "份公示公告" in out and list((work / "n").rglob("*.pdf"))
    run(fupin, "init", "qinghe", "--county", "清河县", "--code", "130534", cwd=work, env=e)
    run(fupin, "export", "parquet", "--out", "pq", cwd=work, env=e)
    run(fupin, "export", "parquet", "qinghe/main.beancount", "--out", "pq", cwd=work, env=e)
    assert "2 个县" in run(fupin, "rollup", "pq", "--html", "r.html", cwd=work, env=e)
    samples = site_packages(bin_dir) / "fupin" / "importers" / "samples"
    files = [
        samples / n
        for n in ("ccb-xj2021-2021-08.xls", "ykt-2022-12.xlsx", "boc-xj2023-2023-04.txt")
    ]
    assert run(fupin, "import", "extract", *files, cwd=work, env=e).count("条新记录") >= 3
    run(bin_dir / "python", "-c", "import fupin.importers.markup", cwd=work, env=e)
    with served(fupin, "qinghe/main.beancount", work) as url:
        pages_answer_in_chinese(url)
