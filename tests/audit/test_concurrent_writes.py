"""Two ``fupin seal`` (or ``fupin correct --append``) runs at the same instant: two clerks, or a
cron job and a clerk. Real processes; the files are checked afterwards.

Each test starts its runs through the ``started_while_locked`` fixture (tests/conftest.py):
the runs are certainly concurrent, and no timing is assumed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from audit_helpers import ROOT, run

from fupin.ledger_lock import LOCK_NAME
from fupin.load import load
from fupin.seals import Seal

Concurrent = Callable[..., list[tuple[int, str]]]  # the started_while_locked fixture


def unsealed(tmp_path: Path) -> Path:
    """A copy of the sample whose seal is removed (the include of seals.beancount stays)."""
    main = tmp_path / "ledger" / "main.beancount"
    shutil.copytree(ROOT / "ledger", main.parent)
    (main.parent / "seals.beancount").write_text("", encoding="utf-8")
    shutil.rmtree(main.parent / "seals")
    return main


def test_two_seals_of_one_period_at_once_make_one_seal(
    tmp_path: Path, started_while_locked: Concurrent
) -> None:
    main = unsealed(tmp_path)
    (first, first_out), (second, second_out) = started_while_locked(
        main,
        ("seal", str(main), "--through", "2021-12", "--date", "2022-01-20"),
        ("seal", str(main), "--through", "2021-12", "--date", "2022-01-21"),
    )
    assert sorted((first, second)) == [0, 2], first_out + second_out
    won, lost = (first_out, second_out) if first == 0 else (second_out, first_out)
    assert "期间 2021-12 已封存 (已封存至 2021-12)" in lost and "Traceback" not in lost
    seals = (main.parent / "seals.beancount").read_text(encoding="utf-8")
    assert seals.count('custom "seal"') == 1
    assert main.read_text(encoding="utf-8").count('include "seals.beancount"') == 1
    assert [p.name for p in (main.parent / "seals").iterdir()] == ["2021-12.digests"]
    # the chain the winner told its clerk to record is the one in the books, and it verifies
    chain = re.search(r"链哈希   chain  ([0-9a-f]{64})", won)
    assert chain is not None, won
    (seal,) = load(main).book.all(Seal)
    assert seal.chain == chain.group(1)
    code, out = run("audit", str(main), "--expect", chain.group(1))
    assert code == 0 and f"✓ 链哈希 {chain.group(1)} = 封存 2021-12 的链哈希" in out, out
    script = subprocess.run(
        [sys.executable, "-I", str(ROOT / "scripts" / "verify_seals.py"), str(main.parent)],
        capture_output=True,
        text=True,
    )
    assert script.returncode == 0 and f"2021-12 {seal.chain}" in script.stdout, script.stdout


def test_two_seals_of_two_periods_at_once_chain(
    tmp_path: Path, started_while_locked: Concurrent
) -> None:
    """A cron job seals 2021-06 while a clerk seals 2021-12: whichever runs second plans from
    the first's seal (it chains to it, or is refused as earlier than it); never two chains."""
    main = unsealed(tmp_path)
    done = started_while_locked(
        main,
        ("seal", str(main), "--through", "2021-06", "--date", "2022-01-20"),
        ("seal", str(main), "--through", "2021-12", "--date", "2022-01-20"),
    )
    seals = sorted(load(main).book.all(Seal), key=lambda s: s.date)
    if len(seals) == 2:  # 2021-06 first
        assert [c for c, _ in done] == [0, 0], done
        assert seals[1].prev == seals[0].chain
    else:  # 2021-12 first: 2021-06 is then inside a sealed period
        assert [c for c, _ in done] == [2, 0], done
        assert "已封存至 2021-12: 新封存须晚于该期" in done[0][1]
    assert run("audit", str(main))[0] == 0
    listed = sorted(p.name for p in (main.parent / "seals").iterdir())
    assert listed == sorted(f"{s.id}.digests" for s in seals)


def test_two_corrections_appended_to_one_file_at_once_keep_both(
    tmp_path: Path, started_while_locked: Concurrent
) -> None:
    main = tmp_path / "ledger" / "main.beancount"
    shutil.copytree(ROOT / "ledger", main.parent)
    books = main.parent / "xianjie-2022.beancount"
    before = books.read_text(encoding="utf-8")
    done = started_while_locked(
        main,
        ("correct", str(main), "记-2021-0002", "--date", "2022-02-01", "--append", str(books)),
        ("correct", str(main), "记-2021-0003", "--date", "2022-02-01", "--append", str(books)),
    )
    assert [c for c, _ in done] == [0, 0], done
    text = books.read_text(encoding="utf-8")
    assert text.startswith(before.rstrip("\n"))
    added = text[len(before.rstrip("\n")) :]
    assert added.count('correction: "reversal"') == 2 and added.count('correction: "repost"') == 2
    assert (main.parent / LOCK_NAME).exists()  # left in place (see fupin.ledger_lock)


def test_a_folder_that_cannot_hold_the_lock_is_a_chinese_error(tmp_path: Path) -> None:
    main = unsealed(tmp_path)
    (main.parent / LOCK_NAME).mkdir()  # the lock's name taken by a folder: it cannot be opened
    code, out = run("seal", str(main), "--through", "2021-12", "--date", "2022-01-20")
    assert code == 1 and f"{LOCK_NAME}: 无法创建锁文件" in out and "未封存" in out, out
    assert (main.parent / "seals.beancount").read_text(encoding="utf-8") == ""
