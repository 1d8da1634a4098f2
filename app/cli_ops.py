"""`feedesk` commands of operations: restore (issue 8); the shared-ledger commands (issue 7) join here.

Each command reads its arguments, calls one service function and prints the result; a
`FeeDeskError` becomes its Chinese message and exit code 1 (in `app.cli.main`).
"""

from __future__ import annotations


def cmd_restore(ctx) -> None:
    from app.services import backup

    r = backup.restore(ctx.db, ctx.args.path, station=ctx.station)
    kept = f"\n原账本已保留为：{r.replaced_kept_as}" if r.replaced_kept_as else ""
    ctx.emit(r.to_json(), f"恢复完成：{r.ledger}（来自 {r.restored_from}，完整性检查与账本核验通过）{kept}")


def cmd_backup_auto(ctx) -> None:
    from app.services import backup

    r = backup.auto_backup(ctx.db, reason=ctx.args.reason)
    ctx.emit(r.to_json(), f"自动备份完成：{r.path}（{r.size_bytes // 1024} KB，完整性检查与账本核验通过）")


def register(sub, cmd, parents) -> None:
    sp = cmd("restore", cmd_restore, help="从备份恢复账本（先做完整性检查与核验，原账本保留）")
    sp.add_argument("path", help="备份文件")
    sp = cmd("backup-auto", cmd_backup_auto, help="按设置（backup_dir、backup_keep）做一次自动备份并清理旧备份")
    sp.add_argument("--reason", choices=("daily", "settlement", "manual"), default="manual")
