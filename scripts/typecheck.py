"""Run ``mypy --strict`` on the real ``fupin`` namespace (what ``pip install`` imports).

setuptools maps ``plugins/``, ``reports/`` and ``importers/`` into ``fupin.*`` (package-dir);
mypy cannot follow that mapping (an editable install resolves it with an import hook), so
``mypy fupin plugins`` sees ``fupin.plugins`` as missing and types every import of it
``Any``. This script lays the installed layout out as symlinks under ``build/typecheck/``,
reads the mapping from ``pyproject.toml`` (so a new mapped folder needs no edit here), runs
mypy on package ``fupin`` there, and prints each error at the file's real path.

    python scripts/typecheck.py            # 0 errors → exit 0
"""

from __future__ import annotations

import os
import shutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "build" / "typecheck"


def mapping() -> dict[str, Path]:
    """``fupin.x`` → its source folder, from ``[tool.setuptools.package-dir]``."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    dirs = config["tool"]["setuptools"]["package-dir"]
    return {name: ROOT / folder for name, folder in dirs.items() if name.startswith("fupin")}


def lay_out() -> dict[Path, Path]:
    """Symlink every Python package of the mapping into TREE; {link folder: real folder}."""
    shutil.rmtree(TREE, ignore_errors=True)
    real: dict[Path, Path] = {}
    for name, top in sorted(mapping().items()):
        for init in sorted(top.rglob("__init__.py")):  # data folders hold no __init__.py
            folder = init.parent
            target = TREE.joinpath(*name.split("."), *folder.relative_to(top).parts)
            target.mkdir(parents=True, exist_ok=True)
            for item in folder.glob("*.py"):
                (target / item.name).symlink_to(item)
            real[target] = folder
    (TREE / "fupin" / "py.typed").touch()
    return real


def main() -> int:
    from mypy import api

    real = lay_out()
    os.chdir(TREE)  # so that mypy finds ``fupin`` here, not the source folder ``fupin/``
    out, err, status = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "-p", "fupin", *sys.argv[1:]]
    )
    by_length = sorted(real.items(), key=lambda kv: -len(str(kv[0])))
    for line in out.splitlines():
        for link, folder in by_length:
            for prefix in (str(link) + "/", str(link.relative_to(ROOT)) + "/"):
                rel = str(link.relative_to(TREE)) + "/"
                if line.startswith(prefix) or line.startswith(rel):
                    head = prefix if line.startswith(prefix) else rel
                    rest = line[len(head) :]
                    line = f"{folder.relative_to(ROOT)}/{rest}"
                    break
            else:
                continue
            break
        print(line)
    sys.stderr.write(err)
    return status


if __name__ == "__main__":
    sys.exit(main())
