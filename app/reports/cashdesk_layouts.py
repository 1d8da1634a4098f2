"""Layouts of the cash-desk reports: 缴款单/收费员日报, 日结报表, 月结汇总 (pure, DTO -> Document)."""

from __future__ import annotations

from app.money import Money, to_chinese_upper
from app.reports.document import Column, Document, KeyValues, Signatures, Table, Text
from app.services import reports as r
from app.services.bank.statements import CHANNELS

M = Money
_TENDER_COLS = [Column("结算方式", 1.4), Column("应有", 1.2, "r"), Column("实点", 1.2, "r"), Column("差额", 1.2, "r")]


def _tender_table(tenders: list[r.TenderFigure], title: str) -> Table:
    return Table(_TENDER_COLS, [[t.tender, M(t.expected), M(t.counted), M(t.difference)] for t in tenders],
                 ["合计", M(sum(t.expected for t in tenders)), M(sum(t.counted for t in tenders)),
                  M(sum(t.difference for t in tenders))], title=title)


def _fee_table(items: list[r.FeeIncome], prepaid: int, title: str) -> Table:
    rows = [[f.name, f.category, M(f.amount)] for f in items]
    if prepaid:
        rows.append(["预存款", "预存", M(prepaid)])
    return Table([Column("收费项目", 2), Column("类别", 1.3), Column("金额", 1.3, "r")], rows,
                 ["合计", "", M(sum(f.amount for f in items) + prepaid)], title=title)


def shift(rep: r.ShiftReport) -> Document:
    blocks = [
        KeyValues([("班次", f"#{rep.shift_id}"), ("营业日", rep.business_date), ("收费员", rep.cashier),
                   ("收费点", rep.station), ("状态", rep.status), ("备用金", M(rep.float_amount)),
                   ("收据号段", f"{rep.receipts_first} – {rep.receipts_last}" if rep.receipts_count else "无"),
                   ("收据张数", rep.receipts_count)]),
        _tender_table(rep.tenders, "一、点钞与应有（按结算方式）"),
        _fee_table(rep.fee_items, rep.prepaid, "二、收入（按收费项目）"),
    ]
    listed = ([[x.receipt_no, "作废", M(x.amount)] for x in rep.voided]
              + [[x.receipt_no, "重打", M(x.amount)] for x in rep.reprinted]
              + [[x.receipt_no or "—", x.kind, M(x.amount)] for x in rep.refunds])
    blocks.append(Table([Column("收据号", 2), Column("类别", 1), Column("金额", 1.3, "r")], listed or [["无", "", ""]],
                        title="三、作废、重打及退费收据"))
    moves = [[k, M(v)] for k, v in rep.movements.items()] + ([["收费员交账", M(rep.hand_ins)]] if rep.hand_ins else [])
    if moves:
        blocks.append(Table([Column("现金进出", 2), Column("金额", 1.3, "r")], moves, title="四、现金进出"))
    blocks += [
        KeyValues([("应缴现金（实点现金减备用金）", M(rep.cash_takings)),
                   ("大写", to_chinese_upper(M(max(rep.cash_takings, 0))))], columns=1),
        Text(f"差额原因：{rep.reason}" + (f"（审批：{rep.approved_by}）" if rep.approved_by else ""))
        if rep.reason else Text("点钞与应有金额相符。"),
        Signatures(["收费员（缴款人）", "复核人", "主管（收款人）"]),
    ]
    return Document("缴款单（收费员日报）", rep.meta, blocks)


def day(rep: r.DayReport) -> Document:
    cashier_cols = [Column("收费员", 1.3), Column("班次", 0.6, "r"), Column("实点(含备用金)", 1.4, "r"),
                    Column("长款", 1, "r"), Column("短款", 1, "r"), Column("应缴现金", 1.2, "r"),
                    Column("收据", 0.7, "r"), Column("作废", 0.7, "r"), Column("重打", 0.7, "r")]
    cashier_rows = [[x.cashier, x.shifts, M(x.counted), M(x.over), M(x.short), M(x.cash_takings), x.receipts,
                     x.voided, x.reprinted] for x in rep.cashiers]
    cs = rep.cashiers
    return Document("日结报表", rep.meta, [
        KeyValues([("营业日", rep.day), ("日结人", rep.settled_by), ("班次数", rep.shifts),
                   ("收款合计", M(rep.total))]),
        Table([Column("结算方式", 2), Column("收款金额", 1.3, "r")], [[k, M(v)] for k, v in rep.by_tender.items()],
              ["合计", M(sum(rep.by_tender.values()))], title="一、收款（按结算方式）"),
        _tender_table(rep.tenders, "二、点钞合计（含备用金）"),
        Table(cashier_cols, cashier_rows,
              ["合计", sum(x.shifts for x in cs), M(sum(x.counted for x in cs)), M(sum(x.over for x in cs)),
               M(sum(x.short for x in cs)), M(sum(x.cash_takings for x in cs)), sum(x.receipts for x in cs),
               sum(x.voided for x in cs), sum(x.reprinted for x in cs)], title="三、收费员"),
        _fee_table(rep.fee_items, rep.prepaid, "四、收入（按收费项目）"),
        Table([Column("类别", 2), Column("金额", 1.3, "r")], [[k, M(v)] for k, v in rep.by_category.items()],
              ["合计", M(sum(rep.by_category.values()))], title="五、收入分类（自营收入、代收代缴、押金、预存）"),
        KeyValues([("长款", M(rep.over)), ("短款", M(rep.short)), ("退款", M(rep.refunds)),
                   ("收费员交账", M(rep.hand_ins)), ("假币", M(rep.counterfeit)),
                   ("应存银行现金", M(rep.cash_due_to_bank)), ("已存银行", M(rep.banked)),
                   ("未存银行", M(rep.cash_due_to_bank - rep.banked))]),
    ] + _reconciliation(rep.reconciliation, "六、对账（各渠道；手续费单列，不计入差异）", False) + [
        Signatures(["制表", "主管", "财务"]),
    ])


def _reconciliation(rows, title: str, by_day: bool) -> list:
    """The channel-days' reconciliation (对账) table: status, amounts, fees apart, open items."""
    if not rows:
        return []
    cols = [Column("渠道", 1.1), Column("对账状态", 1.9), Column("FeeDesk 金额", 1.2, "r"),
            Column("对账单金额", 1.2, "r"), Column("手续费", 0.9, "r"), Column("未处理", 0.7, "r")]
    table = [[CHANNELS[c.channel], c.label, M(c.feedesk_total), M(c.statement_total), M(c.fees), c.open_items]
             for c in rows]
    if by_day:
        cols.insert(0, Column("日期", 1.1, "c"))
        table = [[c.business_date, *row] for c, row in zip(rows, table, strict=True)]
    return [Table(cols, table, title=title)]


def month(rep: r.MonthReport) -> Document:
    cols = [Column("营业日", 1.2, "c"), Column("收款", 1.3, "r"), Column("应存银行", 1.3, "r"),
            Column("已存银行", 1.3, "r"), Column("长款", 1, "r"), Column("短款", 1, "r")]
    ds = rep.days
    blocks = [
        KeyValues([("月份", rep.month), ("状态", "已月结" if rep.closed else "未月结"), ("已日结天数", len(ds)),
                   ("收款合计", M(rep.total))]),
        Table(cols, [[d.day, M(d.total), M(d.cash_due_to_bank), M(d.banked), M(d.over), M(d.short)] for d in ds],
              ["合计", M(rep.total), M(sum(d.cash_due_to_bank for d in ds)), M(sum(d.banked for d in ds)),
               M(sum(d.over for d in ds)), M(sum(d.short for d in ds))], title="一、每日日结"),
        _fee_table(rep.fee_items, rep.by_category.get("预存", 0), "二、收入（按收费项目）"),
        Table([Column("类别", 2), Column("金额", 1.3, "r")], [[k, M(v)] for k, v in rep.by_category.items()],
              ["合计", M(sum(rep.by_category.values()))], title="三、收入分类"),
        Table([Column("结算方式", 2), Column("金额", 1.3, "r")], [[k, M(v)] for k, v in rep.by_tender.items()],
              ["合计", M(sum(rep.by_tender.values()))], title="四、按结算方式"),
    ]
    if rep.unsettled_days:
        blocks.append(Text("尚未日结的营业日：" + "、".join(d.isoformat() for d in rep.unsettled_days)
                           + "（未计入本表）"))
    blocks += (_reconciliation(rep.unreconciled, "五、未对平的对账（渠道日）", True) if rep.unreconciled
               else [Text("对账：本月各渠道日均已对平。")])
    blocks.append(Signatures(["制表", "主管", "财务"]))
    return Document("月结汇总表", rep.meta, blocks)
