"""``fupin keygen``: a new county notice key (公示校验码密钥), outside the books.

See :mod:`fupin.notice_key` for what the key protects and where it is kept.
"""

from __future__ import annotations

from pathlib import Path

import click

from fupin import cli_zh, notice_key


@click.command("keygen", cls=cli_zh.Command)
@click.argument("ledger", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False),
    help="密钥文件路径 (default: $FUPIN_NOTICE_SECRET_FILE, else notice-secret.key beside "
    "the household register).",
)
@click.option(
    "--sample",
    is_flag=True,
    help="示例账簿的演示密钥 (the sample ledger's demo key; refused with any other ledger).",
)
def keygen(ledger: str | None, out: str | None, sample: bool) -> None:
    """生成公示名单校验码密钥 (32 random bytes, mode 0600); never overwrites a key."""
    from fupin.households import register_path
    from fupin.load import installed_sample, installed_sample_refusal, resolve

    path = resolve(ledger)
    if sample and path != resolve(None):
        raise click.UsageError("--sample 只用于随软件提供的示例账簿 (the sample ledger)")
    target = Path(out) if out else notice_key.default_path(register_path(path))
    if target is None:
        raise click.UsageError(
            f"{path} names no household register: give --out PATH (outside the books)"
        )
    if installed_sample(target):
        raise click.UsageError(
            installed_sample_refusal("写入密钥")
            + "; 只要示例的演示密钥: fupin keygen --sample --out demo.key, "
            "再用 fupin notices --secret-file demo.key"
        )
    stale = notice_key.foreign(target, path)
    if stale is not None:
        click.echo(f"{stale}: 已替换 (it signed nothing of {path})", err=True)
        target.unlink()
    try:
        key = notice_key.generate(target, sample_for=path if sample else None)
    except (notice_key.NoticeKeyError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    kind = "示例账簿演示密钥" if sample else "县级公示校验码密钥"
    click.echo(f"{kind}已写入 {key.path} (权限 0600)")
    if not sample:
        click.echo(
            "请妥善保管: 只有打印公示名单和明白卡的人使用; 不要放进账簿文件夹、git 或发给他人。"
            "\n丢失后已发放明白卡上的校验码无法再核对; 泄露后名单上的校验码可被反查到户。",
            err=True,
        )
