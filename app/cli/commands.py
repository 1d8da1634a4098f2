"""`feedesk`: the command line over the same services as the desktop program.

Each command reads its arguments, logs in, calls `services.run(...)` once and prints the
result: readable Chinese by default, JSON with `--json`. A `FeeDeskError` becomes its
Chinese message on stderr and exit code 1. Commands of the cash desk, printing and reports
live in the other `app/cli/` modules (imported explicitly) and register themselves through
`register(sub, cmd)`. An unexpected error prints one Chinese line and the log file (app/logs.py).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import re
import sys
from collections.abc import Callable

from app import config
from app.cli import admin as cli_ops

# The command groups, imported explicitly: a bundler sees them and a broken one fails loudly.
from app.cli import cashdesk as cli_cashdesk
from app.cli import printing as cli_printing
from app.cli import reconcile as cli_reconcile
from app.cli import reports as cli_reports
from app.db.engine import make_factory, upgrade
from app.errors import FeeDeskError, InvalidInput
from app.money import format_yuan
from app.services import Actor, run
from app.services.bills import arrears, billing, fees, meters
from app.services.clock import at_local_noon, parse_date
from app.services.desk import payments, shifts
from app.services.journal import verify
from app.services.master import accounts, admin
from app.services.system import auth, setup

# Commands that only read the ledger: they run while another window holds the writer lock.
READ_COMMANDS = {"cmd_verify", "cmd_account_show", "cmd_arrears", "cmd_fee_list", "cmd_backup"}


class Context:
    """What a command needs: parsed args, the session factory and, after login, the actor."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.db = args.db or config.default_db()
        self.station = args.station or config.default_station()
        self._factory = None

    @property
    def factory(self):
        if self._factory is None:
            from app.db import ledgerfile
            from app.db.engine import check_schema, file_is_read_only, sqlite_file

            ledgerfile.check(self.db)  # a wrong path, a stranger's or a broken file: named, nothing created
            check_schema(self.db)
            path = sqlite_file(self.db)
            if path is not None and file_is_read_only(path):
                # No write permission (or a read-only disk): opened with SQLite mode=ro, so that
                # not even root writes it; every posting is refused with this message.
                self._factory = make_factory(self.db, read_only=True, why=(
                    f"账本文件为只读：{path}（没有写权限或磁盘只读）；只能查看，不能记账，本次操作未保存"))
            else:
                self._hold_writer_lock()
                self._factory = make_factory(self.db)
        return self._factory

    def _hold_writer_lock(self) -> None:
        """Single writer on SQLite: a write command holds the ledger lock until it ends,
        so it is refused up front (LedgerInUse) while another window has the ledger open."""
        import weakref

        from app.db import ledger_lock
        from app.db.engine import sqlite_file

        path = sqlite_file(self.db)
        fn = getattr(self.args, "fn", None)
        if path is None or not path.exists() or getattr(fn, "__name__", "") in READ_COMMANDS:
            return
        weakref.finalize(self, ledger_lock.acquire(path, station=self.station).release)

    def login(self) -> Actor:
        """Log in once per command (password checked); later calls reuse the actor."""
        if getattr(self, "_actor", None) is None:
            self._actor = self._login()
        return self._actor

    def _login(self) -> Actor:
        username = self.args.user or os.environ.get("FEEDESK_USER")
        if not username:
            raise InvalidInput("请用 --user 或环境变量 FEEDESK_USER 指定操作员")
        password = os.environ.get("FEEDESK_PASSWORD")
        if password is None:
            password = getpass.getpass(f"{username} 的密码：")
        result = auth.login_counting_failures(self.factory, username=username, password=password,
                                              station_code=self.station)
        if result.must_change_password:
            raise InvalidInput("管理员已重设您的密码：请先修改密码（feedesk user passwd）")
        return result.actor

    def call(self, fn: Callable, **kw):
        return run(self.factory, fn, actor=self.login(), **kw)

    def approver(self) -> tuple[str, str]:
        """The approving supervisor's name and password (env FEEDESK_APPROVER_PASSWORD or prompt)."""
        name = self.args.approver
        password = os.environ.get("FEEDESK_APPROVER_PASSWORD")
        if password is None:
            password = getpass.getpass(f"审批人 {name} 的密码：")
        return name, password

    def at(self):
        """`--date D` back-dates a posting to local noon of D (tests, demo, catch-up entry)."""
        date = getattr(self.args, "date", None)
        return at_local_noon(parse_date(date)) if date else None

    def emit(self, data: dict | list, text: str) -> None:
        if self.args.json:
            print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            print(text)


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A plain text table that lines up Chinese (two cells per CJK character)."""
    def width(s: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    cells = [[str(c) for c in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    out = []
    for n, r in enumerate(cells):
        out.append("  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(r)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


# ---- commands of the ledger core -------------------------------------------------------

def _shown_db(db: str) -> str:
    """The ledger as printed: a server URL without its password."""
    if "://" not in db:
        return db
    from sqlalchemy.engine import make_url

    return make_url(db).render_as_string(hide_password=True)


def cmd_init(ctx: Context) -> None:
    from app.db import ledgerfile

    ledgerfile.check(ctx.db, creating=True)
    upgrade(ctx.db)
    password = ctx.args.admin_password or os.environ.get("FEEDESK_ADMIN_PASSWORD") or "admin"
    result = run(ctx.factory, setup.bootstrap, station_code=ctx.station, admin_password=password)
    demo_summary = None
    if ctx.args.demo:
        from app.services.system import demo

        demo_summary = demo.build_demo(ctx.factory, station_code=ctx.station)
    shown = _shown_db(ctx.db)
    data = {"db": shown, "site": result.site, "station": result.station, "admin_created": result.admin_created,
            "demo": demo_summary}
    text = f"账本已就绪：{shown}\n收费点：{result.station}"
    if result.admin_created:
        text += "\n已创建管理员 admin"
    if demo_summary:
        text += (f"\n演示数据：{demo_summary['accounts']} 户，{demo_summary['charges']} 笔应收，"
                 f"{demo_summary['payments']} 笔收款")
    ctx.emit(data, text)


def cmd_user_add(ctx: Context) -> None:
    info = ctx.call(auth.add_user, username=ctx.args.name, role=ctx.args.role, password=ctx.args.password,
                    training=ctx.args.training)
    ctx.emit({"id": info.id, "username": info.username, "role": info.role, "training": info.training},
             f"已添加用户 {info.username}（{auth.ROLE_NAMES[auth.Role(info.role)]}）"
             + ("，练习模式（不计入正式账）" if info.training else ""))


def cmd_user_training(ctx: Context) -> None:
    info = ctx.call(auth.set_training, username=ctx.args.name, training=ctx.args.mode == "on")
    ctx.emit({"username": info.username, "training": info.training},
             f"用户 {info.username} 已切换为{'练习模式（不计入正式账）' if info.training else '正式收费'}")


def _user_state(info: auth.UserInfo) -> str:
    if info.locked:
        return "已锁定（须管理员解锁）"
    if info.locked_until is not None:
        from app.services.clock import local_time

        return f"锁定至 {local_time(info.locked_until):%H:%M}"
    return ""


def cmd_user_list(ctx: Context) -> None:
    users = ctx.call(auth.list_users)
    ctx.emit([{"id": u.id, "username": u.username, "role": u.role, "training": u.training,
               "locked": u.locked, "locked_until": u.locked_until} for u in users],
             table(["用户", "姓名", "角色", "状态"],
                   [[u.username, u.display_name, auth.ROLE_NAMES[auth.Role(u.role)], _user_state(u)] for u in users]))


def cmd_user_unlock(ctx: Context) -> None:
    info = ctx.call(auth.unlock_user, username=ctx.args.name)
    ctx.emit({"username": info.username, "unlocked": True}, f"已解锁用户 {info.username}")


def _user_changed(ctx: Context, info: auth.UserInfo, text: str) -> None:
    ctx.emit({"username": info.username, "role": info.role, "active": info.active,
              "must_change_password": info.must_change_password}, text)


def cmd_user_disable(ctx: Context) -> None:
    info = ctx.call(auth.set_active, username=ctx.args.name, active=False)
    _user_changed(ctx, info, f"已停用用户 {info.username}")


def cmd_user_enable(ctx: Context) -> None:
    info = ctx.call(auth.set_active, username=ctx.args.name, active=True)
    _user_changed(ctx, info, f"已启用用户 {info.username}")


def cmd_user_reset_password(ctx: Context) -> None:
    password = ctx.args.password or os.environ.get("FEEDESK_NEW_PASSWORD") or getpass.getpass("临时密码：")
    info = ctx.call(auth.reset_password, username=ctx.args.name, password=password)
    _user_changed(ctx, info, f"已重设用户 {info.username} 的密码：下次登录时须修改")


def cmd_user_set_role(ctx: Context) -> None:
    info = ctx.call(auth.set_role, username=ctx.args.name, role=ctx.args.role)
    _user_changed(ctx, info, f"用户 {info.username} 的角色已改为{auth.ROLE_NAMES[auth.Role(info.role)]}")


def cmd_user_passwd(ctx: Context) -> None:
    """The operator changes her own password (required after an administrator's reset)."""
    username = ctx.args.user or os.environ.get("FEEDESK_USER")
    if not username:
        raise InvalidInput("请用 --user 或环境变量 FEEDESK_USER 指定操作员")
    password = os.environ.get("FEEDESK_PASSWORD")
    if password is None:
        password = getpass.getpass(f"{username} 的当前密码：")
    new = os.environ.get("FEEDESK_NEW_PASSWORD") or getpass.getpass("新密码：")
    result = run(ctx.factory, auth.change_password, username=username, password=password, new_password=new,
                 station_code=ctx.station)
    _user_changed(ctx, result.user, f"用户 {username} 的密码已修改")


def cmd_user_recover_admin(ctx: Context) -> None:
    """Physical-access recovery (docs/reliability.md): no log-in, only on a SQLite file this OS user can write."""
    import socket

    from app.db.engine import file_is_read_only, sqlite_file

    path = sqlite_file(ctx.db)
    if path is None:
        raise InvalidInput(
            "此命令只适用于本机的 SQLite 账本文件；共享账本请由数据库管理员处理（见 docs/reliability.md）"
        )
    if not path.exists() or file_is_read_only(path) or not os.access(path.parent, os.W_OK):
        raise InvalidInput(f"无法写入账本文件 {path}：恢复管理员须由能直接修改该文件的系统用户在本机执行")
    password = ctx.args.new_password or os.environ.get("FEEDESK_NEW_PASSWORD") or ""
    info = run(ctx.factory, auth.recover_admin, username=ctx.args.name, new_password=password,
               os_user=getpass.getuser(), host=socket.gethostname())
    ctx.emit({"username": info.username, "unlocked": True, "password_reset": bool(password)},
             f"已恢复管理员 {info.username}：已解锁" + ("并重设密码" if password else "")
             + "（已记入审计日志）")


def cmd_import_accounts(ctx: Context) -> None:
    result = ctx.call(accounts.import_accounts, path=ctx.args.file)
    ctx.emit({"imported": result.imported}, f"已导入 {result.imported} 户")


def cmd_fee_add(ctx: Context) -> None:
    a = ctx.args
    info = ctx.call(fees.add_fee, code=a.code, name=a.name, method=a.method, rate=a.rate, cycle=a.cycle,
                    kind=a.kind, due_days=a.due_days, late_fee_daily=a.late_fee_daily or "",
                    late_fee_grace=a.late_fee_grace, effective_from=parse_date(a.from_) if a.from_ else None,
                    department=a.department or "", unit_name=a.unit or "")
    ctx.emit(_fee_json(info), f"已添加收费项目 {info.code} {info.name}，单价 {info.rate}")


def _fee_json(info: fees.FeeInfo) -> dict:
    return {"code": info.code, "name": info.name, "kind": info.kind, "method": info.method, "cycle": info.cycle,
            "rate": info.rate, "effective_from": info.effective_from}


def cmd_fee_rate(ctx: Context) -> None:
    info = ctx.call(fees.add_tariff, code=ctx.args.code, rate=ctx.args.rate, effective_from=parse_date(ctx.args.from_))
    ctx.emit(_fee_json(info), f"{info.code} 自 {info.effective_from} 起单价 {info.rate}")


def cmd_fee_assign(ctx: Context) -> None:
    a = ctx.args
    n = ctx.call(fees.assign_fee, fee_code=a.fee, all_accounts=a.all, building=a.building, account_code=a.account,
                 quantity=a.quantity, start_date=parse_date(a.from_) if a.from_ else None,
                 end_date=parse_date(a.until) if a.until else None)
    ctx.emit({"fee": a.fee, "accounts": n}, f"已将 {a.fee} 分配到 {n} 户"
             + (f"，自 {a.from_} 起计费" if a.from_ else "") + (f"，{a.until} 后停止计费" if a.until else ""))


def cmd_fee_end(ctx: Context) -> None:
    a = ctx.args
    n = ctx.call(fees.end_assignment, fee_code=a.fee, account_code=a.account, end_date=parse_date(a.date))
    ctx.emit({"fee": a.fee, "account": a.account, "end_date": a.date, "ended": n},
             f"{a.account} 的 {a.fee} 自 {a.date} 后停止计费")


def cmd_fee_list(ctx: Context) -> None:
    items = ctx.call(fees.list_fees)
    ctx.emit([_fee_json(i) for i in items], table(
        ["编码", "名称", "类别", "计费方式", "周期", "单价"],
        [[i.code, i.name, fees.KIND_NAMES[i.kind], fees.METHOD_NAMES[i.method], fees.CYCLE_NAMES[i.cycle], i.rate]
         for i in items]))


def cmd_meter_read(ctx: Context) -> None:
    a = ctx.args
    r = ctx.call(billing.read_meter, account_code=a.account, fee_code=a.fee, reading=a.reading,
                 read_on=parse_date(a.date) if a.date else None, replaced=a.replaced)
    data = {"account": r.account, "fee": r.fee, "previous": r.previous, "reading": r.reading, "usage": r.usage,
            "flags": r.flags}
    data["held"] = r.held
    ctx.emit(data, f"{r.account} {r.fee}：{r.previous} → {r.reading}，用量 {r.usage}"
             + "".join(f"\n注意：{f}" for f in r.flags)
             + (f"\n已暂缓计费，待主管复核（feedesk meter confirm）：{r.held}" if r.held else ""))


def cmd_meter_set(ctx: Context) -> None:
    a = ctx.args
    m = ctx.call(meters.set_meter, account_code=a.account, fee_code=a.fee, number=a.number,
                 multiplier=a.multiplier)
    ctx.emit({"account": m.account, "fee": m.fee, "number": m.number, "multiplier": m.multiplier},
             f"{m.account} {m.fee}：表号 {m.number}，倍率 {m.multiplier}")


def cmd_meter_missing(ctx: Context) -> None:
    rows = ctx.call(meters.missing, period=ctx.args.period)
    ctx.emit([{"account": m.account, "owner": m.owner, "fee": m.fee, "number": m.number,
               "last_read_on": m.last_read_on} for m in rows],
             f"{ctx.args.period} 未抄表 {len(rows)} 块\n" + table(
                 ["缴费户", "业主", "收费项目", "表号", "上次抄表"],
                 [[m.account, m.owner, m.fee, m.number, m.last_read_on or "无"] for m in rows]))


def cmd_meter_held(ctx: Context) -> None:
    rows = ctx.call(meters.held)
    ctx.emit([{"account": h.account, "fee": h.fee, "read_on": h.read_on, "previous": h.previous,
               "reading": h.reading, "usage": h.usage, "reason": h.reason} for h in rows],
             f"待复核读数 {len(rows)} 条\n" + table(
                 ["缴费户", "收费项目", "抄表日期", "上次读数", "本次读数", "用量", "原因"],
                 [[h.account, h.fee, h.read_on, h.previous, h.reading, h.usage, h.reason] for h in rows]))


def cmd_meter_confirm(ctx: Context) -> None:
    a = ctx.args
    approver, password = ctx.approver() if a.approver else (None, None)
    r = ctx.call(meters.confirm, account_code=a.account, fee_code=a.fee, reason=a.reason or "",
                 approver=approver, approver_password=password)
    ctx.emit({"account": r.account, "fee": r.fee, "read_on": r.read_on, "reading": r.reading,
              "approved_by": r.approved_by},
             f"{r.account} {r.fee} {r.read_on} 读数 {r.reading} 已复核（{r.approved_by}），下次计费时计入")


def cmd_meter_correct(ctx: Context) -> None:
    a = ctx.args
    approver, password = ctx.approver() if a.approver else (None, None)
    r = ctx.call(meters.correct, account_code=a.account, fee_code=a.fee, reading=a.reading, reason=a.reason or "",
                 approver=approver, approver_password=password, at=ctx.at())
    data = {"account": r.account, "fee": r.fee, "old": r.old, "new": r.new, "reversed": format_yuan(r.reversed),
            "new_charge": format_yuan(r.new_charge), "credit": format_yuan(r.credit), "approved_by": r.approved_by}
    text = f"{r.account} {r.fee}：读数 {r.old} 更正为 {r.new}（{r.approved_by} 审批）"
    if r.reversed:
        text += f"\n冲红原费用未收部分 {format_yuan(r.reversed)} 元"
    if r.new_charge:
        text += f"\n重新计费 {format_yuan(r.new_charge)} 元"
    if r.credit:
        text += f"\n多收 {format_yuan(r.credit)} 元转入预存"
    ctx.emit(data, text)


def cmd_meter_import(ctx: Context) -> None:
    r = ctx.call(meters.import_readings, path=ctx.args.file, fee_code=ctx.args.fee or "")
    ctx.emit({"imported": r.imported, "held": r.held}, f"已导入 {r.imported} 条读数"
             + "".join(f"\n待复核：{h}" for h in r.held))


def cmd_bill_run(ctx: Context) -> None:
    r = ctx.call(billing.bill_run, period=ctx.args.period, at=ctx.at())
    ctx.emit(r.to_json(), f"{r.period} 计费完成：新建 {r.created} 笔应收，合计 {format_yuan(r.total)} 元"
             f"（已存在 {r.skipped_existing} 笔，未重复计费）" + "".join(f"\n注意：{f}" for f in r.flags)
             + (f"\n本期无读数、未计费 {len(r.missing)} 块表：" + "、".join(r.missing) if r.missing else "")
             + (f"\n待复核、未计费 {len(r.held)} 条读数：" + "".join(f"\n  {h}" for h in r.held) if r.held else ""))


def cmd_charge_add(ctx: Context) -> None:
    a = ctx.args
    approver, approver_password = ctx.approver() if a.approver else (None, None)
    r = ctx.call(billing.add_charge, account_code=a.account, fee_code=a.fee, quantity=a.quantity or "",
                 amount=a.amount or "", note=a.note or "", reason=a.reason or "", approver=approver,
                 approver_password=approver_password, at=ctx.at())
    ctx.emit({"charge_id": r.charge_id, "account": r.account, "fee": r.fee, "amount": format_yuan(r.amount)},
             f"已录入费用 #{r.charge_id}：{r.account} {r.fee} {format_yuan(r.amount)} 元")


def cmd_account_show(ctx: Context) -> None:
    c = ctx.call(accounts.account_card, code=ctx.args.code)
    text = (f"{c.code}  {c.owner}  {c.phone}  {c.status}  建筑面积 {c.built_area / 100:.2f}㎡\n"
            f"欠费 {format_yuan(c.arrears)} 元  预存 {format_yuan(c.prepaid)} 元  押金 {format_yuan(c.deposits)} 元\n")
    for line in ([c.former_owner_debt] if c.former_owner_debt else []) + \
            ([f"住户/缴费人：{'、'.join(c.occupants)}"] if c.occupants else []) + \
            [f"未办结工单：{t}" for t in c.open_tickets] + \
            [f"已核销（可收回，--charges 编号）：{w}" for w in c.written_off]:
        text += line + "\n"
    text += table(["ID", "项目", "账期", "应收", "已收", "欠款", "到期日", "逾期天数"],
                  [[ch.id, ch.fee, ch.period, format_yuan(ch.amount), format_yuan(ch.paid), format_yuan(ch.outstanding),
                    ch.due_date, ch.overdue_days] for ch in c.charges])
    ctx.emit(c.to_json(), text)


def cmd_account_transfer(ctx: Context) -> None:
    from app.services.master import owners

    a = ctx.args
    approver, password = ctx.approver() if a.approver else ("", "")
    r = ctx.call(owners.transfer_ownership, account_code=a.code, new_owner=a.new_owner, new_phone=a.phone or "",
                 effective_date=parse_date(a.date), arrears=a.arrears, approver=approver,
                 approver_password=password, reason=a.reason or "", note=a.note or "")
    ctx.emit(r.to_json(), f"{r.account_code} 已过户：{r.former_owner} → {r.new_owner}（{r.effective_date}），"
             f"过户前欠费 {format_yuan(r.arrears)} 元：{r.mode}")


def cmd_account_history(ctx: Context) -> None:
    from app.services.master import owners

    rows = ctx.call(owners.ownership_history, account_code=ctx.args.code)
    ctx.emit([r.to_json() for r in rows], table(["过户日期", "前业主", "新业主", "过户前欠费", "处理"],
                                                [[r.effective_date, r.former_owner, r.new_owner,
                                                  format_yuan(r.arrears), r.mode] for r in rows]))


def cmd_account_occupant(ctx: Context) -> None:
    from app.services.master import owners

    a = ctx.args
    names = ctx.call(owners.add_occupant, account_code=a.code, name=a.name, phone=a.phone or "", role=a.role)
    ctx.emit({"account": a.code, "occupants": names}, f"{a.code} 住户/缴费人：{'、'.join(names)}")


def cmd_account_edit(ctx: Context) -> None:
    a = ctx.args
    r = ctx.call(admin.update_account, code=a.code, owner=a.owner, phone=a.phone, area=a.area, status=a.status,
                 tags=a.tags, note=a.note)
    ctx.emit({"code": r.code, "changed": {k: {"old": o, "new": n} for k, (o, n) in r.changed.items()}},
             f"{r.code}：" + ("，".join(f"{k} {o} → {n}" for k, (o, n) in r.changed.items()) or "没有变化"))


def cmd_setting_list(ctx: Context) -> None:
    rows = ctx.call(admin.list_settings)
    ctx.emit([{"key": r.key, "label": r.label, "value": r.value} for r in rows],
             table(["设置项", "说明", "值"], [[r.key, r.label, r.value] for r in rows]))


def cmd_setting_set(ctx: Context) -> None:
    r = ctx.call(admin.update_setting, key=ctx.args.key, value=ctx.args.value)
    ctx.emit({"key": r.key, "value": r.value}, f"已设置 {r.label}：{r.value}")


def cmd_pay(ctx: Context) -> None:
    a = ctx.args
    tenders = [payments.parse_tender(t) for t in a.tender]
    charge_ids = _parse_ids(a.charges) if a.charges else None
    # `--date` asks for the payment's business date (补记: another day than the shift's needs
    # --reason and --approver); it never sets the clock, so late fees are those of today.
    approver, approver_password = ctx.approver() if a.approver else (None, None)
    r = ctx.call(payments.pay, account_code=a.account, tenders=tenders, charge_ids=charge_ids,
                 change_to_prepaid=a.change_to_prepaid, business_date=parse_date(a.date) if a.date else None,
                 reason=a.reason or "", approver=approver, approver_password=approver_password,
                 payer_name=a.payer or "")
    data = r.to_json()
    text = (f"收款成功  收据号 {r.receipt_no}\n实收 {format_yuan(r.total_tendered)} 元  找零 {format_yuan(r.change)} 元"
            + (f"  转预存 {format_yuan(r.prepaid_added)} 元" if r.prepaid_added else "")
            + "\n" + table(["费用", "项目", "账期", "金额"],
                           [[x.charge_id, x.fee, x.period, format_yuan(x.amount)] for x in r.allocated]))
    printing = _print_after_payment(ctx, r) if not a.no_print else None
    if printing is not None:
        data["print"] = printing
        if printing.get("status") == "failed":
            text += f"\n打印失败：{printing.get('error')}（收款已保存，可重打）"
    ctx.emit(data, text)


def _print_after_payment(ctx: Context, result) -> dict | None:
    """Print on the station's default printer when the printing module is installed."""
    try:
        from app.printing import queue
    except ImportError:
        return None
    return queue.print_after_payment(ctx.factory, actor=ctx.login(), result=result)


def _parse_ids(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InvalidInput(f"费用编号格式不正确：“{text}”（例：12,13,14）") from None


def cmd_arrears(ctx: Context) -> None:
    a = ctx.args
    r = ctx.call(arrears.arrears, as_of=parse_date(a.as_of) if a.as_of else None, building=a.building)
    text = table(["编号", "业主", "电话", "欠款", "最早到期", "逾期天数"],
                 [[x.code, x.owner, x.phone, format_yuan(x.outstanding), x.oldest_due, x.days_overdue] for x in r.rows])
    text += f"\n合计 {len(r.rows)} 户，欠款 {format_yuan(r.total)} 元\n" + "  ".join(
        f"{arrears.BUCKET_NAMES[k]} {format_yuan(v)}" for k, v in r.totals.items())
    ctx.emit(r.to_json(), text)


def cmd_verify(ctx: Context) -> None:
    actor = ctx.login() if (ctx.args.user or os.environ.get("FEEDESK_USER")) else None
    r = run(ctx.factory, verify.verify, actor=actor)
    ctx.emit(r.to_json(), "账本核验通过：" + "，".join(f"{k} ✓" for k in r.checks) if r.ok
             else f"账本核验失败：{r.first_failure}")
    if not r.ok:
        raise SystemExit(1)


def cmd_backup(ctx: Context) -> None:
    from app.services.system import backup

    r = backup.backup(ctx.db, ctx.args.to, actor=ctx.login())
    ctx.emit(r.to_json(), f"备份完成：{r.path}（{r.size_bytes // 1024} KB，完整性检查与账本核验通过）")


def cmd_shift_open(ctx: Context) -> None:
    info = ctx.call(shifts.open_shift, float_amount=ctx.args.float, float_by=ctx.args.float_by, at=ctx.at())
    ctx.emit({"shift_id": info.id, "station": info.station, "cashier": info.cashier,
              "float": format_yuan(info.float_amount), "business_date": info.business_date,
              "training": info.training},
             f"已开班 #{info.id}：{info.cashier} @ {info.station}，备用金 {format_yuan(info.float_amount)} 元"
             + ("（练习模式，不计入正式账）" if info.training else ""))


# ---- parser ---------------------------------------------------------------------------

_USAGE_ERRORS = [
    (re.compile(r"the following arguments are required: (.+)"), "缺少参数：{0}"),
    (re.compile(r"argument (\S+): invalid int value: '(.*)'"), "参数 {0} 需要整数，收到“{1}”"),
    (
        re.compile(r"argument (\S+): invalid choice: '?([^' ]*)'? \(choose from (.+)\)"),
        "参数 {0} 的取值“{1}”不正确（可选：{2}）",
    ),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0} 后面需要一个值"),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)"), "参数 {0} 不能与 {1} 同时使用"),
    (re.compile(r"one of the arguments (.+) is required"), "请指定以下参数之一：{0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "无法识别的参数：{0}"),
]


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its usage errors said in Chinese (the person at the window reads them)."""

    def error(self, message: str):
        for pattern, text in _USAGE_ERRORS:
            m = pattern.search(message)
            if m:
                message = text.format(*m.groups())
                break
        else:
            message = f"命令行参数不正确：{message}"
        self.print_usage(sys.stderr)
        self.exit(2, f"错误：{message}（用 {self.prog} -h 查看用法）\n")


def build_parser() -> argparse.ArgumentParser:
    p = ChineseArgumentParser(prog="feedesk", description="FeeDesk 收费台 命令行")
    p.add_argument("--db", help="账本：SQLite 文件路径或 SQLAlchemy URL（环境变量 FEEDESK_DB）")
    p.add_argument("--station", help="收费点编码（环境变量 FEEDESK_STATION）")
    p.add_argument("--user", help="操作员（环境变量 FEEDESK_USER；密码 FEEDESK_PASSWORD）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    sub = p.add_subparsers(dest="command", required=True)

    def cmd(name: str, fn: Callable, parent=sub, **kw) -> argparse.ArgumentParser:
        sp = parent.add_parser(name, **kw)
        sp.set_defaults(fn=fn)
        # Global options are accepted after the command too (`feedesk pay ... --json`).
        sp.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sp.add_argument("--station", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sp.add_argument("--user", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sp.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        return sp

    sp = cmd("init", cmd_init, help="创建或升级账本")
    sp.add_argument("--admin-password")
    sp.add_argument("--demo", action="store_true", help="加入演示小区数据")

    user = sub.add_parser("user").add_subparsers(dest="sub", required=True)
    sp = cmd("add", cmd_user_add, user)
    sp.add_argument("name")
    sp.add_argument("--role", required=True)
    sp.add_argument("--password", required=True)
    sp.add_argument("--training", action="store_true", help="练习用户：收款等一切照常，不计入正式账")
    sp = cmd("training", cmd_user_training, user)
    sp.add_argument("name")
    sp.add_argument("mode", choices=("on", "off"), help="on：练习；off：正式收费")
    cmd("list", cmd_user_list, user, help="用户及锁定状态")
    cmd("unlock", cmd_user_unlock, user, help="解锁用户（管理员）").add_argument("name")
    cmd("disable", cmd_user_disable, user, help="停用用户（管理员）").add_argument("name")
    cmd("enable", cmd_user_enable, user, help="重新启用用户（管理员）").add_argument("name")
    sp = cmd("reset-password", cmd_user_reset_password, user, help="重设密码，下次登录须修改（管理员）")
    sp.add_argument("name")
    sp.add_argument("--password", help="临时密码（也可用环境变量 FEEDESK_NEW_PASSWORD）")
    sp = cmd("set-role", cmd_user_set_role, user, help="更改角色（管理员）")
    sp.add_argument("name")
    sp.add_argument("--role", required=True, choices=("cashier", "supervisor", "admin", "auditor"))
    cmd(
        "passwd", cmd_user_passwd, user, help="修改自己的密码（FEEDESK_PASSWORD 当前密码，FEEDESK_NEW_PASSWORD 新密码）"
    )
    sp = cmd("recover-admin", cmd_user_recover_admin, user,
             help="本机恢复被锁定的管理员（不需登录；须能直接写入账本文件，记入审计）")
    sp.add_argument("name")
    sp.add_argument("--new-password", help="同时重设密码（也可用环境变量 FEEDESK_NEW_PASSWORD）")

    imp = sub.add_parser("import").add_subparsers(dest="sub", required=True)
    cmd("accounts", cmd_import_accounts, imp).add_argument("file")

    fee = sub.add_parser("fee").add_subparsers(dest="sub", required=True)
    sp = cmd("add", cmd_fee_add, fee)
    sp.add_argument("--code", required=True)
    sp.add_argument("--name", required=True)
    sp.add_argument("--method", required=True)
    sp.add_argument("--rate", required=True)
    sp.add_argument("--cycle", required=True)
    sp.add_argument("--kind", default="revenue")
    sp.add_argument("--due-days", type=int, default=0)
    sp.add_argument("--late-fee-daily")
    sp.add_argument("--late-fee-grace", type=int, default=0)
    sp.add_argument("--from", dest="from_")
    sp.add_argument("--department")
    sp.add_argument("--unit")
    sp = cmd("rate", cmd_fee_rate, fee)
    sp.add_argument("--code", required=True)
    sp.add_argument("--rate", required=True)
    sp.add_argument("--from", dest="from_", required=True)
    sp = cmd("assign", cmd_fee_assign, fee)
    sp.add_argument("--fee", required=True)
    g = sp.add_mutually_exclusive_group(required=True)
    g.add_argument("--all", action="store_true")
    g.add_argument("--building")
    g.add_argument("--account")
    sp.add_argument("--quantity", type=int, default=1)
    sp.add_argument("--from", dest="from_", metavar="YYYY-MM-DD", help="开始计费日期（此前的账期不计费）")
    sp.add_argument("--until", metavar="YYYY-MM-DD", help="停止计费日期")
    sp = cmd("end", cmd_fee_end, fee)
    sp.add_argument("--fee", required=True)
    sp.add_argument("--account", required=True)
    sp.add_argument("--date", required=True, help="停止计费日期（此后的账期不再计费）")
    cmd("list", cmd_fee_list, fee)

    meter = sub.add_parser("meter").add_subparsers(dest="sub", required=True)
    sp = cmd("read", cmd_meter_read, meter)
    sp.add_argument("--account", required=True)
    sp.add_argument("--fee", required=True)
    sp.add_argument("--reading", required=True)
    sp.add_argument("--date")
    sp.add_argument("--replaced", action="store_true")
    sp = cmd("set", cmd_meter_set, meter)
    sp.add_argument("--account", required=True)
    sp.add_argument("--fee", required=True)
    sp.add_argument("--number", required=True, help="表号")
    sp.add_argument("--multiplier", type=int, default=1, help="互感器倍率")
    sp = cmd("missing", cmd_meter_missing, meter)
    sp.add_argument("--period", required=True)
    cmd("held", cmd_meter_held, meter)
    for name, fn in (("confirm", cmd_meter_confirm), ("correct", cmd_meter_correct)):
        sp = cmd(name, fn, meter)
        sp.add_argument("--account", required=True)
        sp.add_argument("--fee", required=True)
        if name == "correct":
            sp.add_argument("--reading", required=True, help="正确的读数")
            sp.add_argument("--date", help="记账日期（默认今天）")
        sp.add_argument("--reason", required=True)
        sp.add_argument("--approver", required=True, help="审批主管（不能是录入读数的人）")
    sp = cmd("import", cmd_meter_import, meter)
    sp.add_argument("file", help="抄表单（XLSX 或 CSV：房号/表号,本次读数,抄表日期,抄表员）")
    sp.add_argument("--fee", help="收费项目编码（表中没有“收费项目”列时）")

    bill = sub.add_parser("bill").add_subparsers(dest="sub", required=True)
    sp = cmd("run", cmd_bill_run, bill)
    sp.add_argument("--period", required=True)
    sp.add_argument("--date")

    charge = sub.add_parser("charge").add_subparsers(dest="sub", required=True)
    sp = cmd("add", cmd_charge_add, charge)
    sp.add_argument("--account", required=True)
    sp.add_argument("--fee", required=True)
    sp.add_argument("--quantity")
    sp.add_argument("--amount", help="按金额录入（不按收费标准）需 --reason 和 --approver")
    sp.add_argument("--note")
    sp.add_argument("--reason")
    sp.add_argument("--approver")
    sp.add_argument("--date")

    account = sub.add_parser("account").add_subparsers(dest="sub", required=True)
    cmd("show", cmd_account_show, account).add_argument("code")
    sp = cmd("edit", cmd_account_edit, account)
    sp.add_argument("code")
    for option in ("--owner", "--phone", "--area", "--status", "--tags", "--note"):
        sp.add_argument(option)
    sp = cmd("transfer", cmd_account_transfer, account)
    sp.add_argument("code")
    sp.add_argument("--new-owner", required=True)
    sp.add_argument("--phone")
    sp.add_argument("--date", required=True, help="过户日期")
    sp.add_argument("--arrears", required=True,
                    help="过户前欠费：settled（已结清）、transferred（新业主承接）、kept（保留为前业主欠费）")
    sp.add_argument("--approver", help="审批主管（有欠费时必需；密码用 FEEDESK_APPROVER_PASSWORD 或提示输入）")
    sp.add_argument("--reason")
    sp.add_argument("--note")
    cmd("history", cmd_account_history, account).add_argument("code")
    sp = cmd("occupant", cmd_account_occupant, account)
    sp.add_argument("code")
    sp.add_argument("--name", required=True)
    sp.add_argument("--phone")
    sp.add_argument("--role", choices=("tenant", "payer"), default="tenant")

    setting = sub.add_parser("setting").add_subparsers(dest="sub", required=True)
    cmd("list", cmd_setting_list, setting)
    sp = cmd("set", cmd_setting_set, setting)
    sp.add_argument("key")
    sp.add_argument("value")

    sp = cmd("pay", cmd_pay)
    sp.add_argument("--account", required=True)
    sp.add_argument("--tender", action="append", nargs="+", required=True, metavar="METHOD=YUAN[:REF]")
    sp.add_argument("--charges")
    sp.add_argument("--change-to-prepaid", action="store_true")
    sp.add_argument("--payer", help="实际缴费人（默认业主）")
    sp.add_argument("--date", help="营业日（非本班次营业日需 --reason 和 --approver）")
    sp.add_argument("--reason")
    sp.add_argument("--approver")
    sp.add_argument("--no-print", action="store_true")

    sp = cmd("arrears", cmd_arrears)
    sp.add_argument("--as-of")
    sp.add_argument("--building")

    cmd("verify", cmd_verify)
    cmd("backup", cmd_backup).add_argument("--to", required=True)

    shift = sub.add_parser("shift").add_subparsers(dest="sub", required=True)
    sp = cmd("open", cmd_shift_open, shift)
    sp.add_argument("--float", default="0")
    sp.add_argument("--float-by")
    sp.add_argument("--date")

    cmd("logs", cmd_logs).add_argument("--open", action="store_true", help="open the folder")

    for module in (cli_cashdesk, cli_printing, cli_reports, cli_ops, cli_reconcile):
        module.register(sub, cmd, {"shift": shift})
    return p


def cmd_logs(ctx: Context) -> None:
    """Where the log files are (for a support person); `--open` opens the folder."""
    from app import logs

    folder = config.log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    if ctx.args.open:
        open_folder(folder)
    files = sorted(p.name for p in folder.glob("feedesk-*.log*"))
    ctx.emit({"folder": str(folder), "files": files, "level": logging.getLevelName(logs.level())},
             f"日志文件夹：{folder}\n" + ("\n".join(f"  {name}" for name in files) or "  （还没有日志）"))


def open_folder(folder) -> None:
    """The file manager on `folder` (Explorer on Windows, xdg-open elsewhere)."""
    import subprocess

    if config.PLATFORM == "win32":
        os.startfile(str(folder))  # noqa: S606 - Windows only
    elif config.PLATFORM == "darwin":
        subprocess.Popen(["open", str(folder)])
    else:
        try:
            subprocess.Popen(["xdg-open", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            raise InvalidInput(f"无法打开文件夹（没有 xdg-open）：{folder}") from None


def console_safe(stream) -> None:
    """A console or file that cannot show a character (cp936 on a Chinese Windows has no '✓')
    gets '?' instead of a UnicodeEncodeError that would end the command."""
    if hasattr(stream, "reconfigure") and (getattr(stream, "errors", "") or "strict") == "strict":
        try:
            stream.reconfigure(errors="replace")
        except (ValueError, OSError):  # pragma: no cover - a detached stream
            pass


def main(argv: list[str] | None = None) -> int:
    from app import logs

    console_safe(sys.stdout)
    console_safe(sys.stderr)
    args = build_parser().parse_args(argv)
    if getattr(args, "tender", None):
        args.tender = [t for group in args.tender for t in group]
    log_path = logs.setup("cli")
    log = logging.getLogger("feedesk.cli")
    ctx = Context(args)
    try:
        args.fn(ctx)
        sys.stdout.flush()  # a closed pipe shows here, inside the try, not at interpreter exit
    except BrokenPipeError:
        # `feedesk pay ... | head -1`: the reader stopped reading after the commit. The work is
        # done and saved, so exit 0 quietly (non-zero could make a script pay twice); stdout
        # goes to devnull so the interpreter's final flush cannot complain (Python docs, SIGPIPE).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except FeeDeskError as exc:
        log.info("command %s refused: %s", _command_name(args), exc.message)
        if args.json:
            print(json.dumps({"error": exc.message}, ensure_ascii=False), file=sys.stderr)
        print(f"错误：{exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception:  # a bug: one Chinese line for the person, the traceback for support
        log.exception("command %s failed", _command_name(args))
        where = f"，详细信息已写入日志 {log_path}" if log_path else ""
        print(f"程序内部出错，命令未完成{where}。请把日志交给管理员。", file=sys.stderr)
        return 2
    return 0


def _command_name(args: argparse.Namespace) -> str:
    return getattr(getattr(args, "fn", None), "__name__", "?").removeprefix("cmd_")


if __name__ == "__main__":
    sys.exit(main())
