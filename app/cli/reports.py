"""`feedesk report ...` and `feedesk dunning ...`: every report from the command line.

Each report command logs in, reads the report through `app.services.reports` (or the cash-desk
read functions) and writes `--pdf PATH` and/or `--xlsx PATH` (and `--csv PATH`); `--json` prints
the figures. Reports read on a read-only connection (SQLite `BEGIN`, not `BEGIN IMMEDIATE`),
so printing a long report never holds up the windows taking payments; streamed reports are
rendered inside that one read transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from app.db.engine import make_factory
from app.errors import InvalidInput
from app.money import Money, format_yuan
from app.reports import csvfile, layouts, pdf, xlsx
from app.services import reports, run
from app.services.bills import bill_notices
from app.services.clock import parse_date, parse_period
from app.services.collection import dunning, targets
from app.services.master import tickets


def _table(*args, **kw):
    from app.cli.commands import table

    return table(*args, **kw)


def _reader(ctx):
    """A read-only session factory on the same ledger (after logging in on the normal one)."""
    return make_factory(ctx.db, read_only=True)


def _outputs(ctx) -> list[tuple[str, Callable]]:
    a = ctx.args
    out = []
    if getattr(a, "pdf", None):
        out.append((a.pdf, pdf.render))
    if getattr(a, "xlsx", None):
        out.append((a.xlsx, xlsx.render))
    if getattr(a, "csv", None):
        out.append((a.csv, csvfile.render))
    return out


def _report(ctx, fn: Callable, layout: Callable, summary: Callable, *, to_json: Callable | None = None, **kw):
    """Run `fn` once per output (streamed reports are consumed once) inside one read transaction."""
    actor = ctx.login()
    outputs = _outputs(ctx)

    def use(session, **kw):
        written = []
        for path, render in outputs:
            render(layout(fn(session, actor=actor, **kw)), path)
            written.append(path)
        rep = fn(session, actor=actor, **kw)  # once more: a streamed report is read only once
        if ctx.args.json:
            return (to_json(rep) if to_json else rep.to_json()), "", written
        return None, summary(rep), written

    factory = _reader(ctx)
    try:
        data, text, written = run(factory, use, **kw)
    finally:
        factory.kw["bind"].dispose()
    if written:
        text += "\n" + "\n".join(f"已输出：{p}" for p in written)
        if isinstance(data, dict):
            data["files"] = written
    ctx.emit(data, text)


def _y(fen: int) -> str:
    return format_yuan(fen, grouping=True)


def _date(text: str | None) -> dt.date | None:
    return parse_date(text) if text else None


# ---- report commands -----------------------------------------------------------------

def cmd_collection(ctx) -> None:
    a = ctx.args

    def summary(rep: reports.CollectionReport) -> str:
        rows = [[x.key, _y(x.due), _y(x.collected), x.rate.text, f"{x.paid_households}/{x.billed_households}",
                 x.household_rate.text, _y(x.arrears_start), _y(x.recovered), x.recovery_rate.text, _y(x.prepaid)]
                for x in rep.rows + [rep.total]]
        return (f"收费率 {rep.from_period} 至 {rep.to_period}（实收截至 {rep.cutoff}）\n"
                + _table([reports.GROUPINGS[rep.by], "当期应收", "当期实收", "收费率", "缴清/应缴户", "户收费率",
                          "期初欠费", "欠费追回", "清欠率", "预存"], rows))

    _report(ctx, reports.collection_rate, layouts.collection, summary, from_period=a.from_, to_period=a.to,
            by=a.by, cutoff=_date(a.cutoff), in_period=a.in_period)


def cmd_arrears(ctx) -> None:
    a = ctx.args

    def summary(rep: reports.AgeingReport) -> str:
        from app.services.bills.arrears import BUCKET_NAMES

        rows = [[b, rep.accounts_by_building[b], _y(sum(v.values()))] for b, v in rep.by_building.items()]
        return (f"欠费明细 截至 {rep.as_of}：{len(rep.rows)} 户，合计 {_y(rep.total)} 元\n"
                + _table(["楼栋", "欠费户数", "欠费金额"], rows) + "\n"
                + "  ".join(f"{BUCKET_NAMES[k]} {_y(v)}" for k, v in rep.by_bucket.items()))

    _report(ctx, reports.ageing, layouts.ageing, summary, as_of=_date(a.as_of), building=a.building,
            status=a.status, tag=a.tag)


def cmd_journal(ctx) -> None:
    a = ctx.args

    def to_json(rep: reports.JournalReport) -> dict:
        return {"from": rep.date_from.isoformat(), "to": rep.date_to.isoformat(),
                "rows": [{"date": x.business_date.isoformat(), "time": x.time, "receipt_no": x.receipt_no,
                          "kind": x.kind, "account": x.account, "payer": x.payer, "items": x.items,
                          "tenders": x.tenders, "amount": format_yuan(x.amount), "operator": x.operator,
                          "station": x.station, "reference": x.reference} for x in rep.rows]}

    def summary(rep: reports.JournalReport) -> str:
        n = total = 0
        for x in rep.rows:
            n += 1
            total += 0 if x.kind in reports.NON_MONEY_KINDS else x.amount
        return f"收费明细 {rep.date_from} 至 {rep.date_to}：{n} 笔，金额合计 {_y(total)} 元"

    _report(ctx, reports.journal, layouts.journal, summary, to_json=to_json, date_from=parse_date(a.from_),
            date_to=parse_date(a.to))


def cmd_income(ctx) -> None:
    a = ctx.args

    def summary(rep: reports.IncomeReport) -> str:
        return (f"收入汇总 {rep.date_from} 至 {rep.date_to}：合计 {_y(rep.total)} 元\n"
                + _table(["收费项目", "类别", "金额"], [[x.name, x.category, _y(x.amount)] for x in rep.by_fee]) + "\n"
                + _table(["结算方式", "金额"], [[k, _y(v)] for k, v in rep.by_tender.items()]))

    _report(ctx, reports.income, layouts.income, summary, date_from=parse_date(a.from_), date_to=parse_date(a.to))


def cmd_statement(ctx) -> None:
    a = ctx.args

    def summary(rep: reports.Statement) -> str:
        return (f"对账单 {rep.account} {rep.owner}  {rep.date_from} 至 {rep.date_to}\n"
                + _table(["日期", "摘要", "应收", "缴款", "调整", "余额"],
                         [[x.business_date, x.description, _y(x.charged), _y(x.paid), _y(x.corrected), _y(x.balance)]
                          for x in rep.lines])
                + f"\n期初 {_y(rep.opening)}  期末 {_y(rep.closing)}")

    _report(ctx, reports.statement, layouts.statement, summary, account_code=a.account,
            date_from=parse_date(a.from_), date_to=parse_date(a.to))


def cmd_tariffs(ctx) -> None:
    def summary(rep: reports.TariffSchedule) -> str:
        return "收费标准公示\n" + _table(["项目", "类别", "收费标准", "缴费期限", "滞纳金"],
                                     [[x.name, x.category, x.rate, x.due_rule, x.late_fee_rule] for x in rep.rows])

    _report(ctx, reports.tariffs, layouts.tariffs, summary, as_of=_date(ctx.args.as_of))


def cmd_plan(ctx) -> None:
    a = ctx.args

    def summary(rep: reports.PlanReport) -> str:
        return "计划与实收\n" + _table(["月份", "范围", "对象", "计划", "实收", "完成率", "状态"],
                                   [[x.month, x.scope, x.key, _y(x.target), _y(x.actual), x.rate.text, x.band]
                                    for x in rep.rows])

    _report(ctx, reports.plan_vs_actual, layouts.plan, summary, from_period=a.from_, to_period=a.to)


def cmd_target_set(ctx) -> None:
    a = ctx.args
    t = ctx.call(targets.set_target, month=a.month, amount=Money.parse(a.amount).fen, building=a.building,
                 collector=a.collector, ok_pct=a.ok_pct, alert_pct=a.alert_pct)
    ctx.emit({"month": t.month, "scope": t.scope, "key": t.key, "amount": format_yuan(t.amount),
              "ok_pct": t.ok_pct, "alert_pct": t.alert_pct},
             f"已设定 {t.month} 收费计划：{reports.SCOPE_NAMES[t.scope]} {t.key} {_y(t.amount)} 元"
             f"（达标线 {t.ok_pct}%，预警线 {t.alert_pct}%）")


def cmd_collector_assign(ctx) -> None:
    a = ctx.args
    b = ctx.call(targets.assign_collector, building=a.building, username=a.user_name)
    ctx.emit({"building": b, "collector": a.user_name}, f"楼栋 {b} 的收费员：{a.user_name}")


# ---- cash-desk reports (shift / day / month) --------------------------------------------

def cmd_shift_report(ctx) -> None:
    def summary(rep) -> str:
        return (f"收费员日报 班次 #{rep.shift_id} {rep.cashier} {rep.business_date}\n"
                + _table(["结算方式", "应有", "实点", "差额"],
                         [[x.tender, _y(x.expected), _y(x.counted), _y(x.difference)] for x in rep.tenders]))

    from app.reports import cashdesk_layouts

    _report(ctx, reports.shift_report, cashdesk_layouts.shift, summary, shift_id=ctx.args.shift_id)


def cmd_day_report(ctx) -> None:
    def summary(rep) -> str:
        return (f"日结报表 {rep.day}：收款合计 {_y(rep.total)} 元\n"
                + _table(["结算方式", "金额"], [[k, _y(v)] for k, v in rep.by_tender.items()]))

    from app.reports import cashdesk_layouts

    _report(ctx, reports.day_report, cashdesk_layouts.day, summary, day=parse_date(ctx.args.date))


def cmd_month_report(ctx) -> None:
    def summary(rep) -> str:
        return (f"月结汇总 {rep.month}：收款合计 {_y(rep.total)} 元\n"
                + _table(["日期", "收款", "已日结"], [[x.day, _y(x.total), "是" if x.settled else "否"]
                                                   for x in rep.days]))

    from app.reports import cashdesk_layouts

    _report(ctx, reports.month_report, cashdesk_layouts.month, summary, month=parse_period(ctx.args.month))


# ---- dunning --------------------------------------------------------------------------

def cmd_dunning_run(ctx) -> None:
    a = ctx.args
    min_amount = Money.parse(a.min_amount).fen if a.min_amount else 0
    r = ctx.call(dunning.run_dunning, building=a.building, min_amount=min_amount, min_days=a.min_days,
                 bucket=a.bucket, pay_within_days=a.pay_within, status=a.status, tag=a.tag)
    pdf.render_notices(r.notices, a.pdf, r.meta)
    data = r.to_json()
    data["pdf"] = a.pdf
    ctx.emit(data, f"催缴批次 #{r.run_id}：{r.count} 户，欠费合计 {_y(r.total)} 元；"
             f"承诺/还款计划中 {r.excluded_promise} 户、争议中 {r.excluded_dispute} 户未催缴\n已输出：{a.pdf}")


def cmd_dunning_reprint(ctx) -> None:
    a = ctx.args
    actor = ctx.login()
    factory = _reader(ctx)
    try:
        r = run(factory, dunning.notices_of_run, actor=actor, run_id=a.run_id)
    finally:
        factory.kw["bind"].dispose()
    pdf.render_notices(r.notices, a.pdf, r.meta)
    ctx.emit({"run_id": r.run_id, "notices": len(r.notices), "pdf": a.pdf},
             f"已补打催缴批次 #{r.run_id}：{len(r.notices)} 份\n已输出：{a.pdf}")


def cmd_dunning_log(ctx) -> None:
    a = ctx.args
    e = ctx.call(dunning.log_contact, account_code=a.account, channel=a.channel, result=a.result,
                 reason=a.reason or "", promise_date=_date(a.promise_date), note=a.note or "")
    ctx.emit({"id": e.id, "account": e.account, "channel": e.channel, "result": e.result, "reason": e.reason,
              "promise_date": e.promise_date, "note": e.note, "who": e.who, "date": e.business_date},
             f"已记录 {e.account}：{e.channel} → {e.result}" + (f"（{e.reason}）" if e.reason else "")
             + (f"，承诺 {e.promise_date} 前缴费" if e.promise_date else ""))


def cmd_dunning_history(ctx) -> None:
    rows = ctx.call(dunning.contact_history, account_code=ctx.args.account)
    ctx.emit([{"date": e.business_date, "channel": e.channel, "result": e.result, "reason": e.reason,
               "promise_date": e.promise_date, "note": e.note, "who": e.who} for e in rows],
             _table(["日期", "方式", "结果", "原因", "承诺日期", "经办人", "备注"],
                    [[e.business_date, e.channel, e.result, e.reason, e.promise_date or "", e.who, e.note]
                     for e in rows]))


def _instalment(text: str) -> tuple[dt.date, int]:
    day, sep, amount = (text or "").partition("=")
    if not sep:
        raise InvalidInput(f"分期格式不正确：“{text}”（例：2026-12-31=500）")
    return parse_date(day), Money.parse(amount).fen


def cmd_dunning_plan(ctx) -> None:
    a = ctx.args
    p = ctx.call(dunning.create_plan, account_code=a.account, instalments=[_instalment(t) for t in a.instalment],
                 note=a.note or "")
    ctx.emit(p.to_json(), f"已建立还款计划 #{p.id}：{p.account} 共 {len(p.instalments)} 期，合计 {_y(p.total)} 元")


def cmd_dunning_plans(ctx) -> None:
    rows = ctx.call(dunning.plans, account_code=ctx.args.account)
    ctx.emit([p.to_json() for p in rows],
             _table(["计划", "缴费户", "开始", "合计", "已还", "应还至今", "状态"],
                    [[p.id, p.account, p.start_date, _y(p.total), _y(p.paid), _y(p.due_so_far), p.status]
                     for p in rows]))


def cmd_dunning_cancel_plan(ctx) -> None:
    p = ctx.call(dunning.cancel_plan, plan_id=ctx.args.plan_id, reason=ctx.args.reason)
    ctx.emit(p.to_json(), f"已取消还款计划 #{p.id}：{p.account}")


def cmd_dunning_effect(ctx) -> None:
    rows = ctx.call(dunning.effectiveness, run_id=ctx.args.run_id)
    ctx.emit([r.to_json() for r in rows],
             _table(["批次", "日期", "通知户数", "欠费合计", "7天内缴费户", "7天内金额", "30天内缴费户", "30天内金额"],
                    [[r.run_id, r.business_date, r.notices, _y(r.total), r.paid_7, _y(r.amount_7), r.paid_30,
                      _y(r.amount_30)] for r in rows]))


# ---- parser -----------------------------------------------------------------------------

def _outputs_args(sp, *, csv: bool = True) -> None:
    sp.add_argument("--pdf", metavar="PATH", help="输出 PDF")
    sp.add_argument("--xlsx", metavar="PATH", help="输出 Excel")
    if csv:
        sp.add_argument("--csv", metavar="PATH", help="输出 CSV")


def register(sub, cmd, parents) -> None:
    report = sub.add_parser("report", help="报表").add_subparsers(dest="sub", required=True)
    sp = cmd("shift", cmd_shift_report, report, help="缴款单/收费员日报")
    sp.add_argument("shift_id", type=int)
    _outputs_args(sp)
    sp = cmd("day", cmd_day_report, report, help="日结报表")
    sp.add_argument("--date", required=True)
    _outputs_args(sp)
    sp = cmd("month", cmd_month_report, report, help="月结汇总")
    sp.add_argument("--month", required=True)
    _outputs_args(sp)
    sp = cmd("journal", cmd_journal, report, help="收费明细")
    sp.add_argument("--from", dest="from_", required=True)
    sp.add_argument("--to", required=True)
    _outputs_args(sp)
    sp = cmd("arrears", cmd_arrears, report, help="欠费明细/账龄分析")
    sp.add_argument("--as-of")
    sp.add_argument("--building")
    sp.add_argument("--status", help="缴费户状态：已入住、空置、已交付未收房、已销户")
    sp.add_argument("--tag", help="缴费户标签，如 商铺")
    _outputs_args(sp)
    sp = cmd("collection", cmd_collection, report, help="收费率")
    sp.add_argument("--from", dest="from_", required=True, metavar="YYYY-MM")
    sp.add_argument("--to", required=True, metavar="YYYY-MM")
    sp.add_argument("--by", choices=list(reports.GROUPINGS), default="building")
    sp.add_argument("--cutoff", metavar="D", help="实收截止日（默认：结束账期的最后一天）")
    sp.add_argument("--in-period", action="store_true", help="只计各账期内收到的款项（当月收缴率）")
    _outputs_args(sp)
    sp = cmd("income", cmd_income, report, help="收入汇总")
    sp.add_argument("--from", dest="from_", required=True)
    sp.add_argument("--to", required=True)
    _outputs_args(sp)
    sp = cmd("statement", cmd_statement, report, help="对账单")
    sp.add_argument("account")
    sp.add_argument("--from", dest="from_", required=True)
    sp.add_argument("--to", required=True)
    _outputs_args(sp)
    sp = cmd("tariffs", cmd_tariffs, report, help="收费标准公示")
    sp.add_argument("--as-of")
    _outputs_args(sp)
    sp = cmd("plan", cmd_plan, report, help="计划与实收")
    sp.add_argument("--from", dest="from_", required=True, metavar="YYYY-MM")
    sp.add_argument("--to", required=True, metavar="YYYY-MM")
    _outputs_args(sp)

    target = sub.add_parser("target", help="收费计划").add_subparsers(dest="sub", required=True)
    sp = cmd("set", cmd_target_set, target, help="设定月度收费计划")
    sp.add_argument("--month", required=True)
    sp.add_argument("--amount", required=True, metavar="YUAN")
    g = sp.add_mutually_exclusive_group()
    g.add_argument("--building")
    g.add_argument("--collector")
    sp.add_argument("--ok-pct", type=int, default=100)
    sp.add_argument("--alert-pct", type=int, default=90)
    collector = sub.add_parser("collector", help="收费员片区").add_subparsers(dest="sub", required=True)
    sp = cmd("assign", cmd_collector_assign, collector, help="指定楼栋的收费员")
    sp.add_argument("--building", required=True)
    sp.add_argument("--to", dest="user_name", required=True, metavar="USER")

    dun = sub.add_parser("dunning", help="催缴").add_subparsers(dest="sub", required=True)
    sp = cmd("run", cmd_dunning_run, dun, help="催缴批次：打印催缴通知单")
    sp.add_argument("--building")
    sp.add_argument("--min-amount", metavar="YUAN")
    sp.add_argument("--min-days", type=int, default=1)
    sp.add_argument("--bucket", help="最早欠费所在账龄段及以上（0-30、31-90、91-180、181-365、1-2y、2-3y、3y+）")
    sp.add_argument("--pay-within", type=int, default=15, metavar="DAYS")
    sp.add_argument("--status", help="只催缴某状态的缴费户：已入住、空置、已交付未收房、已销户")
    sp.add_argument("--tag", help="只催缴带此标签的缴费户，如 商铺")
    sp.add_argument("--pdf", required=True, metavar="PATH")
    sp = cmd("reprint", cmd_dunning_reprint, dun, help="补打催缴批次")
    sp.add_argument("run_id", type=int)
    sp.add_argument("--pdf", required=True, metavar="PATH")
    sp = cmd("log", cmd_dunning_log, dun, help="记录催缴联系")
    sp.add_argument("account")
    sp.add_argument("--channel", required=True, help="notice、phone、sms、visit、letter、lawyer")
    sp.add_argument("--result", required=True, help="no_answer、promised、refused、paid、delivered")
    sp.add_argument("--reason", help="拒缴原因：" + "、".join(dunning.REASON_NAMES))
    sp.add_argument("--promise-date")
    sp.add_argument("--note")
    cmd("history", cmd_dunning_history, dun, help="催缴联系记录").add_argument("account")
    sp = cmd("plan", cmd_dunning_plan, dun, help="建立还款计划")
    sp.add_argument("account")
    sp.add_argument("--instalment", action="append", required=True, metavar="D=YUAN")
    sp.add_argument("--note")
    cmd("plans", cmd_dunning_plans, dun, help="还款计划").add_argument("--account")
    sp = cmd("cancel-plan", cmd_dunning_cancel_plan, dun, help="取消还款计划（主管）")
    sp.add_argument("plan_id", type=int)
    sp.add_argument("--reason", required=True)
    cmd("effect", cmd_dunning_effect, dun, help="催缴效果").add_argument("--run-id", type=int)
    register_payer(sub, cmd, report)





# ---- bill notices, complaints and repairs ---------------------------------------------

def cmd_notice_run(ctx) -> None:
    a = ctx.args
    r = ctx.call(bill_notices.bill_notices, period=parse_period(a.period), building=a.building)
    pdf.render_bill_notices(r.notices, a.pdf, r.meta)
    files = [a.pdf]
    if a.sms_csv:
        csvfile.render_rows(bill_notices.SMS_COLUMNS, r.sms_rows(), a.sms_csv)
        files.append(a.sms_csv)
    data = r.to_json()
    data["files"] = files
    ctx.emit(data, f"{r.period} 缴费通知单：{r.count} 户，应缴合计 {_y(r.total)} 元\n"
             + "\n".join(f"已输出：{p}" for p in files))


def _ticket_text(t) -> str:
    return (f"工单 {t.ticket_no}（{t.kind}，{t.status}）：{t.description}\n责任人 {t.assignee}，期限 {t.deadline}"
            + (f"，缴费户 {t.account_code}" if t.account_code else "")
            + (f"\n办结 {t.closed_on}：{t.outcome}（{t.satisfaction}）" if t.closed_on else ""))


def cmd_ticket_add(ctx) -> None:
    a = ctx.args
    t = ctx.call(tickets.register_ticket, kind=a.kind, description=a.desc, assignee=a.assignee,
                 account_code=a.account or "", caller_name=a.caller or "", caller_phone=a.phone or "",
                 deadline=_date(a.deadline), disputes_payment=a.dispute)
    ctx.emit(t.to_json(), "已登记" + _ticket_text(t))


def cmd_ticket_close(ctx) -> None:
    a = ctx.args
    t = ctx.call(tickets.close_ticket, ticket_no=a.ticket_no, outcome=a.outcome, satisfaction=a.satisfaction)
    ctx.emit(t.to_json(), "已办结" + _ticket_text(t))


def cmd_ticket_list(ctx) -> None:
    a = ctx.args
    rows = ctx.call(tickets.list_tickets, open_only=a.open, account_code=a.account or "", month=a.month or "")
    ctx.emit([t.to_json() for t in rows],
             _table(["工单号", "类型", "缴费户", "来电人", "内容", "责任人", "受理", "期限", "状态", "满意度"],
                    [[t.ticket_no, t.kind, t.account_code, t.caller, t.description[:20], t.assignee, t.received_on,
                      t.deadline, t.status, t.satisfaction] for t in rows]))


def cmd_ticket_report(ctx) -> None:
    a = ctx.args
    _report(ctx, tickets.ticket_report, layouts.tickets,
            lambda r: _table(["月份", "受理", "办结", "按期", "未办结", "超期", "平均天数", "及时率", "满意率"],
                             [[m.month, m.received, m.closed, m.on_time, m.still_open, m.overdue, m.average_days,
                               m.on_time_rate.text, m.satisfaction_rate.text] for m in [*r.months, r.total]]),
            first_month=parse_period(a.from_), last_month=parse_period(a.to), kind=a.kind or "")


def cmd_report_unbilled(ctx) -> None:
    from app.services.bills import billing

    rows = ctx.call(billing.unbilled, period=ctx.args.period)
    ctx.emit([{"account": r.account, "owner": r.owner, "fee": r.fee, "reason": r.reason} for r in rows],
             f"{ctx.args.period} 未计费：{len(rows)} 项\n"
             + _table(["缴费户", "业主", "收费项目", "原因"], [[r.account, r.owner, r.fee, r.reason] for r in rows]))


def register_payer(sub, cmd, report) -> None:
    notice = sub.add_parser("notice", help="缴费通知单").add_subparsers(dest="sub", required=True)
    sp = cmd("run", cmd_notice_run, notice, help="打印本期缴费通知单（到期前张贴/送达）")
    sp.add_argument("--period", required=True, metavar="YYYY-MM")
    sp.add_argument("--building")
    sp.add_argument("--pdf", required=True, metavar="PATH")
    sp.add_argument("--sms-csv", metavar="PATH", help="短信平台导入用 CSV：缴费户、姓名、电话、金额、截止日")

    ticket = sub.add_parser("ticket", help="投诉/报修").add_subparsers(dest="sub", required=True)
    sp = cmd("add", cmd_ticket_add, ticket, help="登记投诉/报修（首问责任制）")
    sp.add_argument("--kind", required=True, help="complaint（投诉）、repair（报修）、inquiry（咨询/建议）")
    sp.add_argument("--desc", required=True, help="内容")
    sp.add_argument("--assignee", required=True, help="责任人")
    sp.add_argument("--account", help="缴费户编号")
    sp.add_argument("--caller", help="来电/来访人")
    sp.add_argument("--phone")
    sp.add_argument("--deadline", metavar="YYYY-MM-DD", help="处理期限（默认按类型设置的天数）")
    sp.add_argument("--dispute", action="store_true", help="业主以此为由拒缴（开放期间不催缴）")
    sp = cmd("close", cmd_ticket_close, ticket, help="办结工单")
    sp.add_argument("ticket_no")
    sp.add_argument("--outcome", required=True, help="处理结果")
    sp.add_argument(
        "--satisfaction", required=True, help="very_satisfied、satisfied、neutral、dissatisfied、unreachable"
    )
    sp = cmd("list", cmd_ticket_list, ticket, help="工单列表")
    sp.add_argument("--open", action="store_true", help="只列未办结")
    sp.add_argument("--account")
    sp.add_argument("--month", metavar="YYYY-MM", help="受理月份")
    cmd("unbilled", cmd_report_unbilled, report, help="未计费清单：已指定收费项目但本期没有应收的缴费户") \
        .add_argument("--period", required=True, metavar="YYYY-MM")
    sp = cmd("tickets", cmd_ticket_report, report, help="投诉报修统计（处理及时率、满意率）")
    sp.add_argument("--from", dest="from_", required=True, metavar="YYYY-MM")
    sp.add_argument("--to", required=True, metavar="YYYY-MM")
    sp.add_argument("--kind")
    _outputs_args(sp)
