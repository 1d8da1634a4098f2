"""The month's reconciliation report (对账月报) and the 银行存款余额调节表, as a `Document`.

Pure: every figure comes from `services.reconcile.month_report`.
"""

from __future__ import annotations

from app.money import Money
from app.reports.document import Column, Document, KeyValues, Signatures, Table, Text
from app.services.bank.reconcile import ITEM_NAMES, STATUS_NAMES, MonthRecon
from app.services.bank.statements import CHANNELS

M = Money


def month(rep: MonthRecon) -> Document:
    days = [d for d in rep.days if d.status != "nothing"]
    cols = [Column("日期", 1), Column("渠道", 1.1), Column("状态", 1.1), Column("FeeDesk 金额", 1.2, "r"),
            Column("对账单金额", 1.2, "r"), Column("手续费", 0.9, "r"), Column("已匹配", 0.7, "r"),
            Column("未处理", 0.7, "r")]
    rows = [[d.business_date, CHANNELS[d.channel], STATUS_NAMES[d.status], M(d.feedesk_total), M(d.statement_total),
             M(d.fees), len(d.matched), len(d.open_items)] for d in days]
    total = ["合计", "", "", M(sum(d.feedesk_total for d in days)), M(sum(d.statement_total for d in days)),
             M(sum(d.fees for d in days)), sum(len(d.matched) for d in days), sum(len(d.open_items) for d in days)]
    open_cols = [Column("日期", 1), Column("渠道", 1), Column("差异类型", 1.5), Column("金额", 1, "r"),
                 Column("参考号", 1.6), Column("说明", 3.5)]
    open_rows = [[o.business_date, CHANNELS[o.channel], ITEM_NAMES[o.item], M(o.amount), o.reference, o.detail]
                 for d in days for o in d.open_items]
    b = rep.bank
    bank = Table(
        [Column("项目", 3), Column("金额", 1.2, "r"), Column("项目", 3), Column("金额", 1.2, "r")],
        [
            [
                "银行对账单余额",
                None if b.statement_balance is None else M(b.statement_balance),
                "企业账面余额（银行科目）",
                M(b.book_balance),
            ],
            [
                "加：企业已收、银行未收",
                M(b.feedesk_not_on_statement),
                "加：银行已收、企业未收",
                M(b.statement_not_in_feedesk_in),
            ],
            ["加：支付机构结算在途", M(b.settlements_in_transit), "减：支付机构手续费（未记账）", M(b.fees_not_booked)],
            ["减：企业已付、银行未付", M(0), "减：银行已付、企业未付", M(b.statement_not_in_feedesk_out)],
            [
                "调节后余额",
                None if b.adjusted_statement is None else M(b.adjusted_statement),
                "调节后余额",
                M(b.adjusted_book),
            ],
        ],
        title="银行存款余额调节表",
    )
    unreconciled = sorted({(d.business_date, CHANNELS[d.channel]) for d in days if d.status != "reconciled"})
    blocks = [
        KeyValues([("月份", rep.month), ("未对平的渠道日", len(unreconciled))], columns=2),
        Table(cols, rows, total, title="每日各渠道对账结果"),
        Table(open_cols, open_rows, title="未处理差异", sheet="未处理差异"),
        bank,
    ]
    if b.adjusted_statement is not None and b.adjusted_statement != b.adjusted_book:
        blocks.append(Text(f"注意：两边调节后余额相差 {M(b.adjusted_statement - b.adjusted_book)} 元，"
                           "差额来自未导入的银行流水或未处理的差异，请逐项核对。", 8))
    blocks += [Text("口径：手续费单列，不计入差异；“FeeDesk 有、对账单没有”为已记账未到账（最危险），"
                    "“对账单有、FeeDesk 没有”为已到账未开收据。差异只能由主管通过补录收款、作废/退费、计收费员短款"
                    "或经另一位主管审批的说明处理，不能修改记录。", 7.5),
               Signatures(["制表", "出纳", "会计", "主管"])]
    return Document(f"对账月报 {rep.month}", rep.meta, blocks, landscape=True)
