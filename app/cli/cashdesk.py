"""`feedesk` commands of the cash desk: shift close/accept/reopen/handover, cash in/out, hand-ins,
corrections (void, refund, waive, ...), receipt stock, day and month settlement, bank deposit.

Each command reads its arguments, calls one service through `ctx.call` and prints the result
(Chinese text, or JSON with `--json`). The approver's password comes from env
FEEDESK_APPROVER_PASSWORD or a prompt (`ctx.approver()`); the next cashier's password at a
handover from env FEEDESK_NEXT_PASSWORD or a prompt.
"""

from __future__ import annotations

import getpass
import os

from app.labels import MOVEMENT_NAMES, TENDER_NAMES
from app.money import format_yuan
from app.services.clock import parse_date
from app.services.desk import closes, corrections, receipt_stock, settlement
from app.services.desk.cashdesk import parse_count, parse_slips


def _table(headers, rows) -> str:
    from app.cli.commands import table

    return table(headers, rows)


def _approver(ctx) -> tuple[str | None, str | None]:
    if not getattr(ctx.args, "approver", None):
        return None, None
    return ctx.approver()


def _close_text(r: closes.ShiftClosed) -> str:
    rows = [[TENDER_NAMES.get(t, t), format_yuan(r.expected.get(t, 0)), format_yuan(r.counted.get(t, 0)),
             format_yuan(r.difference.get(t, 0))] for t in r.counted]
    text = f"班次 #{r.shift_id} 已轧帐（{r.cashier} @ {r.station}，营业日 {r.business_date}）\n"
    text += _table(["结算方式", "应有", "实点", "差额"], rows)
    if r.overage:
        text += f"\n长款 {format_yuan(r.overage)} 元（计入其他收入）"
    if r.shortage:
        text += f"\n短款 {format_yuan(r.shortage)} 元（记为收费员欠款）"
    rec = r.summary.receipts
    if rec.count:
        text += f"\n票据 {rec.first} – {rec.last} 共 {rec.count} 张"
    if rec.voided:
        text += f"，作废 {'、'.join(rec.voided)}"
    text += "".join(f"\n注意：{w}" for w in r.warnings)
    if r.pending:
        text += (f"\n差额待说明：feedesk shift explain {r.shift_id} --reason …" if r.pending == "reason" else
                 f"\n差额超过审批线，待主管审批：feedesk shift explain {r.shift_id} --reason … --approver …")
    return text


# ---- shift --------------------------------------------------------------------------------

def cmd_cash_in(ctx) -> None:
    _cash(ctx, ctx.args.kind or "top_up")


def cmd_cash_out(ctx) -> None:
    _cash(ctx, ctx.args.kind or "drop")


def _cash(ctx, kind: str) -> None:
    a = ctx.args
    r = ctx.call(closes.move_cash, kind=kind, amount=a.amount or "", reason=a.reason,
                 denomination=getattr(a, "denomination", None) or "", serial=getattr(a, "serial", None) or "",
                 at=ctx.at())
    text = f"已登记{MOVEMENT_NAMES[r.kind]} {format_yuan(abs(r.amount))} 元（班次 #{r.shift_id}）"
    if r.warning:
        text += f"\n注意：{r.warning}"
    ctx.emit(r.to_json(), text)


def cmd_shift_close(ctx) -> None:
    a = ctx.args
    approver, password = _approver(ctx)
    r = ctx.call(closes.close_shift, count=parse_count(a.count), slips=parse_slips(a.slips or ""),
                 reason=a.reason or "", approver=approver, approver_password=password, at=ctx.at())
    ctx.emit(r.to_json(), _close_text(r))


def cmd_shift_explain(ctx) -> None:
    a = ctx.args
    approver, password = _approver(ctx)
    r = ctx.call(closes.explain_difference, shift_id=a.shift_id, reason=a.reason, approver=approver,
                 approver_password=password)
    ctx.emit(r.to_json(), _close_text(r) + f"\n差额原因：{r.reason}")


def cmd_shift_show(ctx) -> None:
    r = ctx.call(closes.expected_figures, shift_id=ctx.args.shift_id)
    ctx.emit(r.to_json(), _close_text(r))


def cmd_shift_accept(ctx) -> None:
    a = ctx.args
    r = ctx.call(closes.accept_close, shift_id=a.shift_id, second_count=parse_count(a.count) if a.count else None,
                 at=ctx.at())
    ctx.emit(r.to_json(), f"班次 #{r.shift_id} 已验收（{r.supervisor}）：现金 {format_yuan(r.to_safe)} 元入保险柜，"
                          f"非现金 {format_yuan(r.to_bank)} 元待银行到账")


def cmd_shift_reopen(ctx) -> None:
    r = ctx.call(closes.reopen_shift, shift_id=ctx.args.shift_id, reason=ctx.args.reason)
    ctx.emit(r.to_json(), f"班次 #{r.shift_id} 已退回重新轧帐")


def cmd_shift_handover(ctx) -> None:
    a = ctx.args
    approver, password = _approver(ctx)
    nxt = os.environ.get("FEEDESK_NEXT_PASSWORD")
    if nxt is None:
        nxt = getpass.getpass(f"接班人 {a.to} 的密码：")
    r = ctx.call(closes.handover, count=parse_count(a.count), next_user=a.to, next_password=nxt, carry=a.carry,
                 slips=parse_slips(a.slips or ""), reason=a.reason or "", approver=approver,
                 approver_password=password, at=ctx.at())
    ctx.emit(r.to_json(), _close_text(r.closed) + f"\n已交接班：{r.next_cashier} 接班（班次 #{r.next_shift_id}），"
             f"备用金 {format_yuan(r.carried)} 元")


def cmd_shift_list(ctx) -> None:
    a = ctx.args
    rows = ctx.call(closes.list_shifts, status=a.status, day=parse_date(a.day) if a.day else None)
    ctx.emit([{"shift_id": r.id, "station": r.station, "cashier": r.cashier, "status": r.status,
               "business_date": r.business_date.isoformat(), "training": r.training} for r in rows],
             _table(["班次", "收费点", "收费员", "状态", "营业日"],
                    [[r.id, r.station, r.cashier, r.status + ("（练习）" if r.training else ""), r.business_date]
                     for r in rows]))


def cmd_handin(ctx) -> None:
    a = ctx.args
    r = ctx.call(closes.hand_in, collector=a.collector, amount=a.amount, note=a.note or "", at=ctx.at())
    ctx.emit(r.to_json(), f"已收 {r.collector} 交账 {format_yuan(r.amount)} 元，计入营业日 {r.business_date}"
             + ("（已过交账截止时间，计入次日）" if r.after_cutoff else ""))


# ---- corrections ----------------------------------------------------------------------------

def _corrected_text(r: corrections.Corrected, what: str) -> str:
    text = f"{what}完成：{format_yuan(r.amount)} 元"
    if r.receipt_no:
        text += f"，收据 {r.receipt_no}"
    if r.new_receipt_no:
        text += f"，剩余部分已开新收据 {r.new_receipt_no}"
    if r.approved_by:
        text += f"（审批：{r.approved_by}）"
    return text


def _emit_corrected(ctx, r: corrections.Corrected, what: str) -> None:
    """Print the correction's slip as `feedesk pay` prints its receipt (after the commit, on the
    station's default printer); a printer fault is reported, the correction stays saved."""
    data, text = r.to_json(), _corrected_text(r, what)
    printing = None
    if not ctx.args.no_print:
        from app.printing import queue

        printing = queue.print_after_correction(ctx.factory, actor=ctx.login(), result=r)
    if printing is not None:
        data["print"] = printing
        if printing.get("status") == "failed":
            text += f"\n凭证打印失败：{printing.get('error')}（{what}已保存，凭证列入未打印清单，可重试）"
        new = printing.get("new_receipt")
        if new is not None and new.get("status") == "failed":
            text += f"\n新收据打印失败：{new.get('error')}（可重打）"
    ctx.emit(data, text)


def cmd_void(ctx) -> None:
    a = ctx.args
    approver, password = _approver(ctx)
    r = ctx.call(corrections.void_payment, receipt_no=a.receipt_no, reason=a.reason, approver=approver,
                 approver_password=password, at=ctx.at())
    _emit_corrected(ctx, r, "作废")


def cmd_refund(ctx) -> None:
    a = ctx.args
    approver, password = _approver(ctx)
    r = ctx.call(corrections.refund_payment, receipt_no=a.receipt_no, amount=a.amount, tender=a.refund_tender,
                 reason=a.reason, cancel_charges=a.cancel, approver=approver, approver_password=password,
                 at=ctx.at())
    _emit_corrected(ctx, r, "退费")


def _balance_refund(ctx, kind: str) -> None:
    a = ctx.args
    approver, password = _approver(ctx)
    r = ctx.call(corrections.refund_balance, kind=kind, account_code=a.account, amount=a.amount, tender=a.refund_tender,
                 reason=a.reason, fee_code=getattr(a, "fee", None), approver=approver, approver_password=password,
                 at=ctx.at())
    ctx.emit(r.to_json(), _corrected_text(r, "退押金" if kind == "deposit" else "预存退款"))


def cmd_deposit_refund(ctx) -> None:
    _balance_refund(ctx, "deposit")


def cmd_prepaid_refund(ctx) -> None:
    _balance_refund(ctx, "prepaid")


def cmd_waive(ctx) -> None:
    a = ctx.args
    approver, password = _approver(ctx)
    r = ctx.call(corrections.waive, charge_id=a.charge_id, amount=a.amount, reason=a.reason,
                 reference=a.reference or "", approver=approver, approver_password=password)
    ctx.emit(r.to_json(), _corrected_text(r, f"费用 #{a.charge_id} 减免"))


def cmd_writeoff(ctx) -> None:
    a = ctx.args
    approver, password = _approver(ctx)
    r = ctx.call(corrections.write_off, charge_id=a.charge_id, reason=a.reason, approver=approver,
                 approver_password=password)
    ctx.emit(r.to_json(), _corrected_text(r, f"费用 #{a.charge_id} 核销"))


def cmd_reprice(ctx) -> None:
    a = ctx.args
    approver, password = _approver(ctx)
    r = ctx.call(corrections.override_price, charge_id=a.charge_id, new_amount=a.amount, reason=a.reason,
                 approver=approver, approver_password=password)
    ctx.emit(r.to_json(), _corrected_text(r, f"费用 #{a.charge_id} 改价（新费用 #{r.id}）"))


# ---- receipt stock --------------------------------------------------------------------------

def cmd_receipts_issue(ctx) -> None:
    a = ctx.args
    r = ctx.call(receipt_stock.issue_range, prefix=a.prefix or "", first=a.from_, last=a.to_number,
                 to_user=a.to, to_station=a.to_station)
    ctx.emit(r.to_json(), f"已领用号段 #{r.id}：{r.prefix}{r.first} – {r.prefix}{r.last}，领用人 {r.holder}")


def cmd_receipts_gaps(ctx) -> None:
    rows = ctx.call(receipt_stock.gaps)
    ctx.emit({"gaps": [{"receipt_no": g.receipt_no, "range_id": g.range_id, "where": g.where} for g in rows],
              "count": len(rows)},
             "票据号连续，没有缺号" if not rows else _table(["缺号", "所在"], [[g.receipt_no, g.where] for g in rows]))
    if rows:
        raise SystemExit(1)


def cmd_receipts_stock(ctx) -> None:
    r = ctx.call(receipt_stock.stock_status)
    text = (f"下一张票据 {r.next_receipt_no}，号段剩余 {r.remaining} 张" if r.uses_ranges and r.next_receipt_no
            else f"下一张票据 {r.next_receipt_no}（收费点流水号）" if r.next_receipt_no else "没有可用票据")
    if r.warning:
        text += f"\n注意：{r.warning}"
    ctx.emit(r.to_json(), text)


def cmd_receipts_list(ctx) -> None:
    rows = ctx.call(receipt_stock.list_ranges)
    ctx.emit([r.to_json() for r in rows], _table(["号段", "前缀", "起", "止", "下一张", "领用", "剩余"],
                                                 [[r.id, r.prefix, r.first, r.last, r.next, r.holder, r.remaining]
                                                  for r in rows]))


EVENT_NAMES = {"used": "开具", "void": "作废", "refund": "退费", "reprinted": "重打", "late_printed": "补打",
               "recovered": "重打收回", "returned": "退回", "lost": "报损"}


def cmd_receipts_show(ctx) -> None:
    rows = ctx.call(receipt_stock.receipt_history, receipt_no=ctx.args.receipt_no)
    ctx.emit([{"at": e.at.isoformat(), "event": e.event, "user": e.user, "reason": e.reason,
               "approved_by": e.approved_by or None} for e in rows],
             _table(["时间(UTC)", "事件", "操作员", "原因", "审批"],
                    [[e.at.strftime("%Y-%m-%d %H:%M"), EVENT_NAMES.get(e.event, e.event), e.user, e.reason,
                      e.approved_by] for e in rows]))


def _release(ctx, kind: str) -> None:
    a = ctx.args
    approver, password = _approver(ctx)
    r = ctx.call(receipt_stock.release_numbers, kind=kind, receipt_no=a.receipt_no, count=a.count, reason=a.reason,
                 approver=approver, approver_password=password)
    ctx.emit(
        r.to_json(),
        f"已{'退回' if kind == 'returned' else '报损'} {len(r.numbers)} 张：{r.numbers[0]} – {r.numbers[-1]}",
    )


def cmd_receipts_return(ctx) -> None:
    _release(ctx, "returned")


def cmd_receipts_lost(ctx) -> None:
    _release(ctx, "lost")


# ---- settlement -----------------------------------------------------------------------------

def _settled_text(r: settlement.DaySettled) -> str:
    t = r.totals["tenders"]
    rows = [[TENDER_NAMES.get(k, k), format_yuan(t["expected"].get(k, 0)), format_yuan(v),
             format_yuan(t["difference"].get(k, 0))] for k, v in t["counted"].items()]
    text = f"营业日 {r.business_date} 日结（{r.settled_by}），班次 {r.totals['shifts']} 个\n"
    text += _table(["结算方式", "应有", "实点", "差额"], rows)
    text += "\n" + _table(["收费项目", "金额"], [[f["name"], format_yuan(f["amount"])]
                                                 for f in r.totals["fee_items"].values()])
    text += (f"\n长款 {format_yuan(r.totals['over'])} 元，短款 {format_yuan(r.totals['short'])} 元"
             f"\n应解银行现金 {format_yuan(r.cash_due_to_bank)} 元，已解 {format_yuan(r.banked)} 元")
    return text + _unreconciled_text([dict(x, date=r.business_date.isoformat()) for x in r.unreconciled])


def _unreconciled_text(rows: list[dict]) -> str:
    """The channel-days not reconciled yet, as the day report and the month close show them."""
    if not rows:
        return ""
    from app.services.bank.reconcile import STATUS_NAMES
    from app.services.bank.statements import CHANNELS

    return "\n未对平的对账：" + "；".join(
        f"{x['date']} {CHANNELS[x['channel']]} {STATUS_NAMES[x['status']]}"
        + (f"（{x['open_items']} 项未处理）" if x["open_items"] else "") for x in rows)


def cmd_settle_day(ctx) -> None:
    r = ctx.call(settlement.settle_day, day=parse_date(ctx.args.date))
    ctx.emit(r.to_json(), _settled_text(r))


def cmd_settle_show(ctx) -> None:
    r = ctx.call(settlement.day_report, day=parse_date(ctx.args.date))
    ctx.emit(r.to_json(), _settled_text(r))


def cmd_settle_month(ctx) -> None:
    r = ctx.call(settlement.close_month, month=ctx.args.month)
    ctx.emit(r.to_json(), f"{r.month} 已月结（{r.closed_by}）：日结 {r.totals['days']} 天，"
             f"应解银行 {format_yuan(r.totals['cash_takings'])} 元，已解 {format_yuan(r.totals['banked'])} 元"
             + _unreconciled_text(r.totals.get("unreconciled_days", [])))


def cmd_bank_deposit(ctx) -> None:
    a = ctx.args
    r = ctx.call(settlement.bank_deposit, amount=a.amount, slip=a.slip,
                 for_date=parse_date(a.for_date) if a.for_date else None)
    ctx.emit(r.to_json(), f"已解款 {format_yuan(r.amount)} 元（缴款单 {r.slip_no}），计入营业日 {r.for_date}："
             f"应解 {format_yuan(r.due)} 元，已解 {format_yuan(r.banked)} 元")


# ---- registration ---------------------------------------------------------------------------

def _group(sub, name: str, **kw):
    import argparse

    parser = sub.choices.get(name) or sub.add_parser(name, **kw)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest="sub", required=True)


# `--tender` is stored as `refund_tender`: app.cli.commands flattens `args.tender` (pay's repeated option).


def _approval_args(sp, required: bool = True) -> None:
    sp.add_argument("--reason", required=required)
    sp.add_argument("--approver", help="审批主管（密码：环境变量 FEEDESK_APPROVER_PASSWORD 或提示输入）")


def register(sub, cmd, parents) -> None:
    shift = parents["shift"]
    sp = cmd("cash-in", cmd_cash_in, shift, help="现金存入：备用金补充（top_up）、短款补交（paid_in）")
    sp.add_argument("--amount", required=True)
    sp.add_argument("--reason", required=True)
    sp.add_argument("--kind", choices=("top_up", "paid_in"))
    sp.add_argument("--date")
    sp = cmd("cash-out", cmd_cash_out, shift, help="现金取出：投库（drop）、送银行（bank_run）、假币（counterfeit）")
    sp.add_argument("--amount")
    sp.add_argument("--reason", required=True)
    sp.add_argument("--kind", choices=("drop", "bank_run", "counterfeit"))
    sp.add_argument("--denomination", help="假币面额（元）")
    sp.add_argument("--serial", help="假币冠字号")
    sp.add_argument("--date")
    sp = cmd("close", cmd_shift_close, shift, help="轧帐（盲点：先点钞，后显示应有金额）")
    sp.add_argument("--count", required=True, help='点钞，如 "100=3,50=1,0.5=2"')
    sp.add_argument("--slips", help='非现金单据张数，如 "card=3,wechat=2:450.00"')
    _approval_args(sp, required=False)
    sp.add_argument("--date")
    sp = cmd("accept", cmd_shift_accept, shift, help="主管验收轧帐")
    sp.add_argument("shift_id", type=int)
    sp.add_argument("--count", help="主管复点现金")
    sp.add_argument("--date")
    sp = cmd("explain", cmd_shift_explain, shift, help="轧帐差额的原因（点钞保存、看到差额之后填写；超限需主管审批）")
    sp.add_argument("shift_id", type=int)
    _approval_args(sp)
    sp = cmd("reopen", cmd_shift_reopen, shift, help="退回重新轧帐（仅最近一次、未验收）")
    sp.add_argument("shift_id", type=int)
    sp.add_argument("--reason", required=True)
    sp = cmd("handover", cmd_shift_handover, shift, help="交接班：轧帐并由下一位收费员接班")
    sp.add_argument("--count", required=True)
    sp.add_argument("--to", required=True, help="接班收费员（密码：环境变量 FEEDESK_NEXT_PASSWORD 或提示输入）")
    sp.add_argument("--carry", help="移交备用金（元），默认同本班备用金")
    sp.add_argument("--slips")
    _approval_args(sp, required=False)
    sp.add_argument("--date")
    cmd("show", cmd_shift_show, shift, help="轧帐结果（应有与实点）").add_argument("shift_id", type=int)
    sp = cmd("list", cmd_shift_list, shift, help="班次列表")
    sp.add_argument("--status", choices=("open", "closed", "accepted"))
    sp.add_argument("--day")

    sp = cmd("handin", cmd_handin, help="外收员交账")
    sp.add_argument("--collector", required=True)
    sp.add_argument("--amount", required=True)
    sp.add_argument("--note")
    sp.add_argument("--date")

    sp = cmd("void", cmd_void, help="作废本班次收据（需主管审批），并打印作废凭证")
    sp.add_argument("receipt_no")
    _approval_args(sp)
    sp.add_argument("--date")
    sp.add_argument("--no-print", action="store_true", help="不打印作废凭证")
    sp = cmd("refund", cmd_refund, help="退费（已轧帐班次的收款，需主管审批）")
    sp.add_argument("receipt_no")
    sp.add_argument("--amount", help="部分退费金额；不填则全额")
    sp.add_argument("--tender", dest="refund_tender", required=True)
    sp.add_argument("--cancel", action="store_true", help="退费的费用同时取消（不再欠）")
    _approval_args(sp)
    sp.add_argument("--date")
    sp.add_argument("--no-print", action="store_true", help="不打印退款凭证")
    for name, fn, helptext in (("deposit-refund", cmd_deposit_refund, "退押金"),
                               ("prepaid-refund", cmd_prepaid_refund, "预存余额退款")):
        sp = cmd(name, fn, help=helptext)
        sp.add_argument("account")
        sp.add_argument("--amount")
        sp.add_argument("--tender", dest="refund_tender", required=True)
        if name == "deposit-refund":
            sp.add_argument("--fee")
        _approval_args(sp)
        sp.add_argument("--date")
    sp = cmd("waive", cmd_waive, help="减免费用（需主管审批）")
    sp.add_argument("charge_id", type=int)
    sp.add_argument("--amount")
    sp.add_argument("--reference", help="书面审批单号")
    _approval_args(sp)
    sp = cmd("writeoff", cmd_writeoff, help="核销坏账（需主管审批）")
    sp.add_argument("charge_id", type=int)
    _approval_args(sp)
    sp = cmd("reprice", cmd_reprice, help="临时费用改价（需主管审批）")
    sp.add_argument("charge_id", type=int)
    sp.add_argument("--amount", required=True)
    _approval_args(sp)

    rec = _group(sub, "receipts", help="票据管理")
    sp = cmd("issue", cmd_receipts_issue, rec, help="领用票据号段")
    g = sp.add_mutually_exclusive_group(required=True)
    g.add_argument("--to", help="领用收费员")
    g.add_argument("--to-station", help="领用收费点")
    sp.add_argument("--prefix", default="")
    sp.add_argument("--from", dest="from_", type=int, required=True)
    sp.add_argument("--to-number", type=int, required=True)
    cmd("gaps", cmd_receipts_gaps, rec, help="缺号检查")
    cmd("stock", cmd_receipts_stock, rec, help="本人票据余量")
    cmd("list", cmd_receipts_list, rec, help="号段列表")
    cmd("show", cmd_receipts_show, rec, help="票据号的记录（开具、作废、重打…）").add_argument("receipt_no")
    for name, fn in (("return", cmd_receipts_return), ("lost", cmd_receipts_lost)):
        sp = cmd(name, fn, rec, help="退回未用票据" if name == "return" else "票据报损")
        sp.add_argument("receipt_no")
        sp.add_argument("--count", type=int, default=0 if name == "return" else 1)
        sp.add_argument("--reason", required=True)
        if name == "lost":
            sp.add_argument("--approver", help="审批主管（报损必须由另一位主管审批）")

    settle = _group(sub, "settle", help="日结与月结")
    cmd("day", cmd_settle_day, settle, help="日结").add_argument("--date", required=True)
    cmd("show", cmd_settle_show, settle, help="查看日结").add_argument("--date", required=True)
    cmd("month", cmd_settle_month, settle, help="月结").add_argument("--month", required=True)

    bank = _group(sub, "bank", help="解款")
    sp = cmd("deposit", cmd_bank_deposit, bank, help="解款（保险柜现金存银行）")
    sp.add_argument("--amount", required=True)
    sp.add_argument("--slip", required=True)
    sp.add_argument("--for-date")
