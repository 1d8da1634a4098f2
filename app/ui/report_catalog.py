"""Every report of the window, built by the same read functions and layouts as `feedesk report`.

A `ReportSpec` names a report, the parameters it asks for, and `build(session, actor, p)`,
which calls the service read function and the `app.reports` layout the CLI command calls
(`app/cli/reports.py`, `app/cli/reconcile.py`), so the window, the PDF, the Excel file and
the CLI show the same figures by construction. `load_report` runs on the op worker inside
one read transaction: it builds the `Document`, reads every streamed row into a list (with
a row counter for the progress line and a cancel flag checked per row), and computes the
chart's figures. The resulting document can be rendered any number of times (preview,
print, PDF, Excel) without reading the ledger again.

No widgets here; the screen is `app.ui.reports_screen`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from app.errors import FeeDeskError
from app.money import Money
from app.reports import cashdesk_layouts, layouts, reconcile_layouts
from app.reports.document import Column, Document, KeyValues, Table, Text
from app.services import report_views, reports
from app.services.bank import reconcile
from app.services.clock import parse_period
from app.services.desk import receipt_stock
from app.services.master import tickets
from app.ui.i18n import N_

#: Parameter kinds a report may ask for (the screen makes one input per kind).
DAY, DATE_FROM, DATE_TO, MONTH, FROM_PERIOD, TO_PERIOD, BY, IN_PERIOD, AS_OF, BUILDING, ACCOUNT, SHIFT = (
    "day",
    "date_from",
    "date_to",
    "month",
    "from_period",
    "to_period",
    "by",
    "in_period",
    "as_of",
    "building",
    "account",
    "shift_id",
)


class ReportCancelled(FeeDeskError):
    """The person pressed Cancel while the report was being read."""


@dataclass(frozen=True, slots=True)
class ChartData:
    """One chart beside a report: bars per category, one bar per series (stacked if `stacked`)."""

    title: str
    categories: list[str]
    series: list[tuple[str, list[int]]]  # (name, values): fen, or basis points (1/100 of a percent)
    percent: bool = False
    stacked: bool = False


@dataclass
class Job:
    """Shared between the GUI thread (reads `rows`, sets `cancel`) and the worker (counts rows)."""

    cancel: threading.Event = field(default_factory=threading.Event)
    rows: int = 0

    def tick(self) -> None:
        if self.cancel.is_set():
            raise ReportCancelled("已取消")
        self.rows += 1


@dataclass(frozen=True, slots=True)
class LoadedReport:
    key: str
    document: Document  # tables hold lists (read once on the worker)
    chart: ChartData | None
    #: Save PDF writes these letters instead of the document (the 催缴通知单 of a dunning run).
    letters: Callable[[str], object] | None = None


@dataclass(frozen=True, slots=True)
class ReportSpec:
    key: str
    title: str  # English source, shown through tr()
    params: tuple[str, ...]
    build: Callable  # (session, actor, params) -> (Document, ChartData | None)
    long: bool = False  # may take seconds on a large ledger (streamed rows, whole-ledger scans)
    #: Running it records something (a dunning run numbers its notices): asked before, one transaction.
    write: bool = False


def _rate_bp(rate: reports.Rate) -> int:
    """A rate in basis points for a bar's height (display only; the table shows `rate.text`)."""
    return 0 if rate.den == 0 else (rate.num * 10000 + rate.den // 2) // rate.den


# ---- the builders: service read function + the CLI's layout -------------------------------


def _shift(s, actor, p):
    return cashdesk_layouts.shift(reports.shift_report(s, actor=actor, shift_id=p[SHIFT])), None


def _day(s, actor, p):
    rep = reports.day_report(s, actor=actor, day=p[DAY])
    hours = report_views.takings_by_hour(s, actor=actor, day=p[DAY])
    used = [h for h in range(24) if any(v[h] for v in hours.by_tender.values())]
    first, last = min(used + [8]), max(used + [17])  # at least the counter's opening hours
    span = list(range(first, last + 1))
    chart = ChartData(
        "分时段收款（按结算方式）",
        [f"{h}时" for h in span],
        [(name, [v[h] for h in span]) for name, v in hours.by_tender.items()],
        stacked=True,
    )
    return cashdesk_layouts.day(rep), chart


def _month(s, actor, p):
    rep = reports.month_report(s, actor=actor, month=parse_period(p[MONTH]))
    chart = ChartData(
        "每日收款", [d.day.strftime("%d") for d in rep.days], [("收款", [d.total for d in rep.days])]
    )
    return cashdesk_layouts.month(rep), chart


def _journal(s, actor, p):
    return layouts.journal(reports.journal(s, actor=actor, date_from=p[DATE_FROM], date_to=p[DATE_TO])), None


def _arrears(s, actor, p):
    from app.services.bills.arrears import BUCKET_NAMES

    rep = reports.ageing(s, actor=actor, as_of=p[AS_OF], building=p.get(BUILDING) or None)
    chart = ChartData(
        "欠费账龄分布", [BUCKET_NAMES[k] for k in rep.by_bucket], [("欠费金额", list(rep.by_bucket.values()))]
    )
    return layouts.ageing(rep), chart


def _collection(s, actor, p):
    rep = reports.collection_rate(
        s,
        actor=actor,
        from_period=p[FROM_PERIOD],
        to_period=p[TO_PERIOD],
        by=p[BY],
        cutoff=None,
        in_period=p.get(IN_PERIOD, False),
    )
    chart = ChartData(
        f"收费率（按{reports.GROUPINGS[rep.by]}）",
        [x.key for x in rep.rows],
        [
            ("收费率", [_rate_bp(x.rate) for x in rep.rows]),
            ("户收费率", [_rate_bp(x.household_rate) for x in rep.rows]),
        ],
        percent=True,
    )
    return layouts.collection(rep), chart


def _income(s, actor, p):
    rep = reports.income(s, actor=actor, date_from=p[DATE_FROM], date_to=p[DATE_TO])
    chart = ChartData("按结算方式", list(rep.by_tender), [("金额", list(rep.by_tender.values()))])
    return layouts.income(rep), chart


def _statement(s, actor, p):
    return layouts.statement(
        reports.statement(s, actor=actor, account_code=p[ACCOUNT], date_from=p[DATE_FROM], date_to=p[DATE_TO])
    ), None


def _tariffs(s, actor, p):
    return layouts.tariffs(reports.tariffs(s, actor=actor, as_of=p.get(AS_OF))), None


def _plan(s, actor, p):
    return layouts.plan(
        reports.plan_vs_actual(s, actor=actor, from_period=p[FROM_PERIOD], to_period=p[TO_PERIOD])
    ), None


def _tickets(s, actor, p):
    return layouts.tickets(
        tickets.ticket_report(
            s, actor=actor, first_month=parse_period(p[FROM_PERIOD]), last_month=parse_period(p[TO_PERIOD])
        )
    ), None


def _reconciliation(s, actor, p):
    return reconcile_layouts.month(reconcile.month_report(s, actor=actor, month=p[MONTH])), None


def _receipts(s, actor, p):
    """票据领用及使用情况: the number ranges (`feedesk receipts list`) and the gaps (`receipts gaps`)."""
    ranges = receipt_stock.list_ranges(s, actor=actor)
    gaps = receipt_stock.gaps(s, actor=actor)
    meta = reports.report_meta(s, actor, "截至打印时")
    cols = [
        Column("号段", 0.6, "r"),
        Column("前缀", 0.8),
        Column("起", 1, "r"),
        Column("止", 1, "r"),
        Column("下一张", 1, "r"),
        Column("领用人/收费点", 1.6),
        Column("剩余", 0.8, "r"),
    ]
    rows = [[r.id, r.prefix, r.first, r.last, r.next, r.holder, r.remaining] for r in ranges]
    gap_rows = [[g.receipt_no, g.where] for g in gaps]
    return Document(
        "票据领用及使用情况",
        meta,
        [
            KeyValues([("号段数", len(ranges)), ("缺号", len(gaps))], columns=2),
            Table(
                cols,
                rows,
                ["合计", "", "", "", "", "", sum(r.remaining for r in ranges)],
                title="一、票据号段",
            ),
            Table(
                [Column("缺号", 1.5), Column("所在", 3)],
                gap_rows or [["无", "票据号连续，没有缺号"]],
                title="二、缺号检查",
            ),
            Text("缺号：号段内已跳过却没有开具、作废、退回或报损记录的票据号，须查明原因。", 7.5),
        ],
    ), None


def _dunning(s, actor, p):
    """催缴批次, as `feedesk dunning run`: the run is recorded; the list previews, the letters print."""
    from app.reports import pdf
    from app.services.collection import dunning

    r = dunning.run_dunning(s, actor=actor, building=p.get(BUILDING) or None)
    cols = [
        Column("通知单号", 1.3),
        Column("缴费户", 1),
        Column("业主", 0.9),
        Column("电话", 1.2),
        Column("逾期天数", 0.8, "r"),
        Column("欠费合计", 1.1, "r"),
    ]
    rows = [
        [n.notice_no, n.account_code, n.owner, n.phone, n.days_overdue, Money(n.total)] for n in r.notices
    ]
    doc = Document(
        "催缴批次清单",
        r.meta,
        [
            KeyValues(
                [
                    ("批次", f"#{r.run_id}"),
                    ("营业日", r.business_date),
                    ("通知户数", r.count),
                    ("欠费合计", Money(r.total)),
                    ("承诺/还款计划中未催", r.excluded_promise),
                    ("争议中未催", r.excluded_dispute),
                ]
            ),
            Table(cols, rows, ["合计", f"{r.count} 户", "", "", "", Money(r.total)]),
            Text(
                "“保存 PDF”输出每户一页的催缴通知单（与 feedesk dunning run --pdf 相同），"
                "可打印后张贴或送达。",
                7.5,
            ),
        ],
    )
    notices, meta = list(r.notices), r.meta
    return doc, None, lambda path: pdf.render_notices(notices, path, meta)


SPECS: list[ReportSpec] = [
    ReportSpec("shift", N_("Remittance slip (shift report)"), (SHIFT,), _shift),
    ReportSpec("day", N_("Day report"), (DAY,), _day),
    ReportSpec("month", N_("Month summary"), (MONTH,), _month, long=True),
    ReportSpec("journal", N_("Collection journal"), (DATE_FROM, DATE_TO), _journal, long=True),
    ReportSpec("arrears", N_("Arrears and ageing"), (AS_OF, BUILDING), _arrears, long=True),
    ReportSpec(
        "collection", N_("Collection rate"), (FROM_PERIOD, TO_PERIOD, BY, IN_PERIOD), _collection, long=True
    ),
    ReportSpec("income", N_("Income summary"), (DATE_FROM, DATE_TO), _income, long=True),
    ReportSpec("statement", N_("Account statement"), (ACCOUNT, DATE_FROM, DATE_TO), _statement),
    ReportSpec("tariffs", N_("Tariff notice"), (AS_OF,), _tariffs),
    ReportSpec("plan", N_("Plan against collected"), (FROM_PERIOD, TO_PERIOD), _plan),
    ReportSpec("tickets", N_("Complaints and repairs statistics"), (FROM_PERIOD, TO_PERIOD), _tickets),
    ReportSpec("reconciliation", N_("Reconciliation month report"), (MONTH,), _reconciliation, long=True),
    ReportSpec("receipts", N_("Receipt numbers in use"), (), _receipts),
    ReportSpec("dunning", N_("Dunning run (notices)"), (BUILDING,), _dunning, write=True),
]
BY_KEY = {s.key: s for s in SPECS}


def materialize(doc: Document, job: Job) -> Document:
    """The document with every streamed table read into a list and its total computed (the
    same rows the PDF writer would have drawn, read once)."""
    blocks = []
    for block in doc.blocks:
        if isinstance(block, Table):
            rows = []
            for row in block.rows:
                job.tick()
                rows.append(list(row))
            total = block.total() if callable(block.total) else block.total
            block = Table(block.columns, rows, total, block.title, block.sheet)
        blocks.append(block)
    return Document(doc.title, doc.meta, blocks, doc.landscape)


def load_report(session, *, actor, key: str, params: dict, job: Job) -> LoadedReport:
    """The op of the reports screen: one read transaction, the whole document in memory."""
    if job.cancel.is_set():
        raise ReportCancelled("已取消")
    doc, chart, *letters = BY_KEY[key].build(session, actor, params)
    return LoadedReport(key, materialize(doc, job), chart, letters[0] if letters else None)


def default_params(today: dt.date) -> dict:
    """Sensible starting values: today, this month, this year to date."""
    first = today.replace(day=1)
    return {
        DAY: today,
        DATE_FROM: first,
        DATE_TO: today,
        MONTH: today.strftime("%Y-%m"),
        FROM_PERIOD: f"{today.year}-01",
        TO_PERIOD: today.strftime("%Y-%m"),
        BY: "month",
        IN_PERIOD: False,
        AS_OF: today,
        BUILDING: "",
        ACCOUNT: "",
        SHIFT: 1,
    }
