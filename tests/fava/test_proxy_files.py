"""``fupin serve``'s help names what the package ships: the proxy guide and the nginx site,
printed by ``--proxy-guide`` and ``--nginx-example`` (no ledger needed, nothing served)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from fupin.cli import main

PROXY = Path(__file__).resolve().parents[2] / "reports" / "fava" / "proxy"


def serve(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["serve", *args])
    return result.exit_code, result.output


def test_the_help_names_options_not_source_files() -> None:
    code, out = serve("--help")
    assert code == 0 and "docs/" not in out
    assert "(见--proxy-guide)" in "".join(out.split())  # as wrapped to any width
    assert "--nginx-example" in out


def test_the_guide_and_the_nginx_site_print_as_shipped() -> None:
    for flag, name in (("--proxy-guide", "auth-proxy.md"), ("--nginx-example", "nginx-fupin.conf")):
        code, out = serve(flag, "no-such-ledger.beancount")  # eager: the ledger is not read
        assert code == 0 and out == (PROXY / name).read_text(encoding="utf-8")
    guide = (PROXY / "auth-proxy.md").read_text(encoding="utf-8")
    # the guide's steps use what an installed fupin has, not the source tree's docs/
    assert "fupin serve --nginx-example | sudo tee /etc/nginx/sites-available/fupin" in guide
    assert "docs/" not in guide and "docs/" not in (PROXY / "nginx-fupin.conf").read_text()
