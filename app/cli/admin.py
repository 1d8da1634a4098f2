"""`feedesk` commands of operations: restore; shared ledger: db migrate, station.

Each command reads its arguments, calls one service function and prints the result; a
`FeeDeskError` becomes its Chinese message and exit code 1 (in `app.cli.commands.main`).
"""

from __future__ import annotations


def cmd_restore(ctx) -> None:
    """An administrator of the live ledger (password checked against it, failures counted there)
    sees what will be lost and confirms (`--yes` for scripts); then the backup replaces it."""
    import sys

    from app.services.system import backup

    path = backup.sqlite_path(ctx.db)  # refuses a PostgreSQL ledger (pg_dump is the server's backup)
    actor = None
    if path.exists():
        actor = ctx.login()
        ctx.factory.kw["bind"].dispose()  # the file is about to be replaced: no connection may stay open
    preview = backup.restore_preview(ctx.db, ctx.args.path, actor=actor)
    if not ctx.args.json:
        print(preview.text())
    if not ctx.args.yes:
        answer = ""
        if sys.stdin.isatty() and not ctx.args.json:
            answer = input("确认用备份替换当前账本？请输入 yes 确认：").strip().lower()
        if answer != "yes":
            if ctx.args.json:
                ctx.emit(preview.to_json(), "")
            raise backup.RestoreRefused("未确认恢复（脚本中请核对后加 --yes），现有账本未改动")
    r = backup.restore(ctx.db, ctx.args.path, actor=actor, station=ctx.station)
    kept = f"\n原账本已保留为：{r.replaced_kept_as}" if r.replaced_kept_as else ""
    skipped = f"\n已跳过 {r.numbers_skipped} 个在原账本中用过的票据号（记为报损）" if r.numbers_skipped else ""
    ctx.emit(r.to_json() | preview.to_json(),
             f"恢复完成：{r.ledger}（来自 {r.restored_from}，完整性检查与账本核验通过）{kept}{skipped}")


def cmd_backup_auto(ctx) -> None:
    from app.services.system import backup

    if ctx.args.if_due:
        # What the OS scheduler runs: no log-in. At most one backup a day into the folder the
        # administrator configured, so it can push out at most one old copy a day (docs/reliability.md).
        r = backup.daily_backup_if_due(ctx.db)
        if r is None:
            ctx.emit({"taken": False}, "今天已有自动备份，未重复备份")
            return
    else:
        r = backup.auto_backup(ctx.db, reason=ctx.args.reason, actor=ctx.login())
    ctx.emit(r.to_json(), f"自动备份完成：{r.path}（{r.size_bytes // 1024} KB，完整性检查与账本核验通过）")


# ---- shared ledger on PostgreSQL ------------------------------------------------

def cmd_db_migrate(ctx) -> None:
    from app.services.system import dbmigrate

    r = dbmigrate.migrate(ctx.args.from_, ctx.args.to)
    f = r.target_figures
    ctx.emit(r.to_json(), (
        f"迁移完成：{r.source} → {r.target}\n"
        f"复制 {r.tables} 张表、{r.rows} 行；两边核验均通过，数字一致：\n"
        f"  分录明细 {f.rows.get('posting', 0)} 行，各科目余额相同\n"
        f"  收据 {f.receipts} 张，最后一张 {f.last_receipt_no or '（无）'}，号码顺序相同\n"
        f"  审计链 {len(f.audit_heads)} 条（共 {sum(seq for seq, _ in f.audit_heads.values())} 个事件），链尾相同\n"
        "各窗口请改用 --db postgresql://feedesk_app:密码@服务器/feedesk（或环境变量 FEEDESK_DB）"))


def cmd_station_add(ctx) -> None:
    from app.services.desk import stations

    a = ctx.args
    info = ctx.call(stations.add_station, code=a.code, name=a.name or "", receipt_prefix=a.prefix or "")
    ctx.emit(info.to_json(), f"已添加收费点 {info.code}（{info.name}）")


def cmd_station_training(ctx) -> None:
    from app.services.desk import stations

    a = ctx.args
    on = ctx.call(stations.set_training, code=a.code, training=a.mode == "on")
    ctx.emit(
        {"station": a.code, "training": on},
        f"收费点 {a.code} 已切换为{'练习模式（不计入正式账）' if on else '正式收费'}",
    )


def cmd_station_board(ctx) -> None:
    from app.cli.commands import table
    from app.money import format_yuan
    from app.services.desk import stations

    rows = ctx.call(stations.station_board)
    names = {"open": "收款中", "closed": "已轧帐", "accepted": "已验收", "idle": "未开班"}
    ctx.emit([r.to_json() for r in rows], table(
        ["收费点", "名称", "班次", "收费员", "状态", "营业日", "收款笔数", "应有现金", "最后收款"],
        [[r.code, r.name, r.shift_id or "", r.cashier, names.get(r.status, r.status), r.business_date or "",
          r.payments, format_yuan(r.drawer.get("cash", 0)), r.last_payment_at or ""] for r in rows]))


def register(sub, cmd, parents) -> None:
    # feedesk db migrate, feedesk station add|board
    db = sub.add_parser("db", help="共享账本：迁移").add_subparsers(dest="sub", required=True)
    sp = cmd("migrate", cmd_db_migrate, db, help="把单窗口 SQLite 账本迁移到共享 PostgreSQL 数据库（两边核验）")
    sp.add_argument("--from", dest="from_", required=True, help="源账本：SQLite 文件或 sqlite:///路径")
    sp.add_argument("--to", required=True, help="目标：postgresql://feedesk_owner:密码@服务器/feedesk")
    station = sub.add_parser("station", help="收费点").add_subparsers(dest="sub", required=True)
    sp = cmd("add", cmd_station_add, station, help="添加收费点（管理员）")
    sp.add_argument("code")
    sp.add_argument("--name")
    sp.add_argument("--prefix", help="收据号前缀（默认为收费点编码）")
    cmd("board", cmd_station_board, station, help="各收费点当前班次（主管）")
    sp = cmd("training", cmd_station_training, station, help="把收费点切换到练习模式或正式收费（管理员）")
    sp.add_argument("code")
    sp.add_argument("mode", choices=("on", "off"), help="on：练习；off：正式收费")

    # restore, backup-auto
    sp = cmd("restore", cmd_restore, help="从备份恢复账本（管理员；先列出将丢失的收款并确认，原账本保留）")
    sp.add_argument("path", help="备份文件")
    sp.add_argument("--yes", action="store_true", help="不再询问确认（脚本用；请先不加 --yes 查看将丢失的内容）")
    sp = cmd("backup-auto", cmd_backup_auto, help="按设置（backup_dir、backup_keep）做一次自动备份并清理旧备份")
    sp.add_argument("--reason", choices=("daily", "settlement", "manual"), default="manual")
    sp.add_argument("--if-due", action="store_true", help="只在今天还没有自动备份时备份（供计划任务每天调用）")
