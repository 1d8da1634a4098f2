"""`feedesk reconcile ...` (对账) and `feedesk report reconciliation`.

import FILE --channel wechat|alipay|bank|card [--mapping NAME]; mapping save|list; run --date D
[--to D] [--channel C]; show --date D [--channel C]; resolve KEY --action A --reason R
[--account CODE] [--approver NAME]. Everything goes through `services.reconcile`.
"""

from __future__ import annotations

import argparse

from app.errors import InvalidInput
from app.money import format_yuan
from app.services.bank import reconcile
from app.services.bank.statements import CHANNELS, MAPPING_FIELDS
from app.services.clock import parse_date


def _table(*args, **kw):
    from app.cli.commands import table

    return table(*args, **kw)


def cmd_import(ctx) -> None:
    a = ctx.args
    r = ctx.call(reconcile.import_statement, channel=a.channel, path=a.file, mapping=a.mapping)
    ctx.emit(r.to_json(), f"已导入{CHANNELS[r.channel]}对账单 #{r.statement_id}（{r.file_name}）：{r.first_date} 至 "
                          f"{r.last_date}，{r.lines} 行，收入 {format_yuan(r.total_in)} 元，支出/退款 "
                          f"{format_yuan(r.total_out)} 元，手续费 {format_yuan(r.total_fee)} 元")


def cmd_mapping_save(ctx) -> None:
    a = ctx.args
    columns = {}
    for item in a.column:
        key, sep, value = item.partition("=")
        if not sep:
            raise InvalidInput(f"列映射格式不正确：“{item}”（例：date=交易日期）")
        columns[key.strip()] = value.strip()
    info = ctx.call(reconcile.save_mapping, name=a.name, channel=a.channel, columns=columns)
    ctx.emit(info.to_json(), f"已保存列映射 {info.name}（{CHANNELS[info.channel]}）："
                             + "，".join(f"{k}={v}" for k, v in info.columns.items()))


def cmd_mapping_list(ctx) -> None:
    rows = ctx.call(reconcile.list_mappings)
    ctx.emit([m.to_json() for m in rows], _table(["名称", "渠道", "内置", "列"], [
        [m.name, CHANNELS[m.channel], "是" if m.builtin else "", "，".join(f"{k}={v}" for k, v in m.columns.items())]
        for m in rows]) + "\n可用字段：" + "，".join(f"{k}（{v}）" for k, v in MAPPING_FIELDS.items()))


def cmd_run(ctx) -> None:
    a = ctx.args
    day = parse_date(a.date)
    results = ctx.call(reconcile.run_matching, day=day, last=parse_date(a.to) if a.to else None, channel=a.channel)
    shown = [r for r in results if r.new_matches or r.open_items]
    ctx.emit([r.to_json() for r in results], _table(["日期", "渠道", "新匹配", "按参考号", "按金额时间", "未处理"], [
        [r.business_date, CHANNELS[r.channel], r.new_matches, r.by_reference, r.by_amount_time, r.open_items]
        for r in shown]) if shown else "没有新的匹配，也没有未处理差异")


def cmd_show(ctx) -> None:
    a = ctx.args
    views = ctx.call(reconcile.day_view, day=parse_date(a.date), channel=a.channel)
    parts = []
    for v in views:
        if v.status == "nothing" and not a.channel:
            continue
        parts.append(f"{v.business_date} {CHANNELS[v.channel]}：{reconcile.STATUS_NAMES[v.status]}；FeeDesk "
                     f"{format_yuan(v.feedesk_total)} 元，对账单 {format_yuan(v.statement_total)} 元，手续费 "
                     f"{format_yuan(v.fees)} 元，已匹配 {len(v.matched)} 笔")
        if v.open_items:
            parts.append(_table(["编号", "差异类型", "金额", "参考号", "说明"], [
                [o.key, reconcile.ITEM_NAMES[o.item], format_yuan(o.amount), o.reference, o.detail]
                for o in v.open_items]))
        for o in v.in_transit:
            parts.append(f"  在途 {o.detail}：{format_yuan(o.amount)} 元")
        for r in v.resolved:
            parts.append(f"  已处理 #{r.id} {reconcile.ACTION_NAMES[r.action]} {format_yuan(r.amount)} 元"
                         f"{'，收据 ' + r.receipt_no if r.receipt_no else ''}，{r.by}"
                         f"{'（审批 ' + r.approver + '）' if r.approver else ''}：{r.reason}")
    ctx.emit([v.to_json() for v in views], "\n".join(parts) or "该日没有需要对账的款项")


def cmd_resolve(ctx) -> None:
    a = ctx.args
    approver = password = None
    if a.approver:
        approver, password = ctx.approver()
    r = ctx.call(reconcile.resolve, key=a.key, action=a.action, reason=a.reason or "", account_code=a.account,
                 approver=approver, approver_password=password)
    ctx.emit(r.to_json(), f"已处理 {a.key}：{reconcile.ACTION_NAMES[r.action]} {format_yuan(r.amount)} 元"
                          + (f"，收据 {r.receipt_no}" if r.receipt_no else "")
                          + (f"，审批人 {r.approved_by}" if r.approved_by else ""))


def cmd_report(ctx) -> None:
    from app.cli.reports import _report
    from app.reports import reconcile_layouts

    def summary(rep) -> str:
        bad = sorted({(d.business_date, CHANNELS[d.channel], reconcile.STATUS_NAMES[d.status]) for d in rep.days
                      if d.status not in ("reconciled", "nothing")})
        b = rep.bank
        lines = [f"对账月报 {rep.month}：未对平的渠道日 {len(bad)} 个"]
        lines += [f"  {d} {ch}：{st}" for d, ch, st in bad]
        lines.append(f"银行存款余额调节表：对账单余额 "
                     f"{'—' if b.statement_balance is None else format_yuan(b.statement_balance)} + 企业已收银行未收 "
                     f"{format_yuan(b.feedesk_not_on_statement)} = "
                     f"{'—' if b.adjusted_statement is None else format_yuan(b.adjusted_statement)}；账面余额 "
                     f"{format_yuan(b.book_balance)} + 银行已收企业未收 {format_yuan(b.statement_not_in_feedesk_in)} − "
                     f"银行已付企业未付 {format_yuan(b.statement_not_in_feedesk_out)} = {format_yuan(b.adjusted_book)}")
        return "\n".join(lines)

    _report(ctx, reconcile.month_report, reconcile_layouts.month, summary, month=ctx.args.month)


def _subparsers(parser: argparse.ArgumentParser):
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def register(sub, cmd, parents) -> None:
    rec = sub.add_parser("reconcile", help="对账：微信、支付宝、银行卡、银行流水").add_subparsers(
        dest="sub", required=True
    )
    sp = cmd("import", cmd_import, rec, help="导入对账单（导入前整体校验，不合格不导入任何一行）")
    sp.add_argument("file")
    sp.add_argument("--channel", required=True, choices=list(CHANNELS))
    sp.add_argument("--mapping", help="银行流水/POS 结算单的列映射名称（内置：generic、card-generic）")
    mapping = cmd("mapping", None, rec, help="列映射").add_subparsers(dest="mapping_sub", required=True)
    sp = cmd("save", cmd_mapping_save, mapping, help="保存银行/POS 对账单的列映射")
    sp.add_argument("name")
    sp.add_argument("--channel", required=True, choices=["bank", "card"])
    sp.add_argument("--column", action="append", required=True, metavar="FIELD=表头",
                    help="字段：" + "、".join(MAPPING_FIELDS))
    cmd("list", cmd_mapping_list, mapping, help="列出列映射")
    sp = cmd("run", cmd_run, rec, help="对账：按参考号、再按金额和时间匹配")
    sp.add_argument("--date", required=True)
    sp.add_argument("--to", help="结束日期（含），一次对多天")
    sp.add_argument("--channel", choices=list(CHANNELS))
    sp = cmd("show", cmd_show, rec, help="某日的对账结果和未处理差异")
    sp.add_argument("--date", required=True)
    sp.add_argument("--channel", choices=list(CHANNELS))
    sp = cmd("resolve", cmd_resolve, rec, help="主管处理一项差异（补录收款、冲销、计短款、说明）")
    sp.add_argument("key", help="待处理项编号，见 reconcile show（如 line:12、tender:34、match:7）")
    sp.add_argument("--action", required=True, choices=list(reconcile.ACTION_NAMES))
    sp.add_argument("--reason", required=True)
    sp.add_argument("--account", help="补录收款的缴费户")
    sp.add_argument("--approver", help="审批主管（密码：环境变量 FEEDESK_APPROVER_PASSWORD 或提示输入）")
    report = sub.choices.get("report")
    if report is not None:
        sp = cmd("reconciliation", cmd_report, _subparsers(report), help="对账月报与银行存款余额调节表")
        sp.add_argument("--month", required=True)
        sp.add_argument("--pdf", metavar="PATH")
        sp.add_argument("--xlsx", metavar="PATH")
        sp.add_argument("--csv", metavar="PATH")
