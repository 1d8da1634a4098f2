"""Report layouts: each service DTO becomes a `Document` (columns, rows, totals, signatures).

Pure functions: nothing here reads the ledger or computes a figure; amounts are wrapped in
`Money` so each renderer formats them, rates stay `Rate`.
"""

from __future__ import annotations

from app.money import Money, to_chinese_upper
from app.reports.document import Column, Document, KeyValues, Signatures, Table, Text
from app.services import reports as r
from app.services.bills.arrears import BUCKET_NAMES, BUCKETS

M = Money


def collection(rep: r.CollectionReport) -> Document:
    cols = [Column(r.GROUPINGS[rep.by], 1.5), Column("当期应收", 1.3, "r"), Column("当期实收", 1.3, "r"),
            Column("收费率", 1, "r"), Column("应缴户", 0.8, "r"), Column("缴清户", 0.8, "r"),
            Column("户收费率", 1, "r"), Column("期初欠费", 1.3, "r"), Column("欠费追回", 1.3, "r"),
            Column("清欠率", 1, "r"), Column("预存", 1.2, "r"), Column("其他收费", 1.2, "r")]

    def row(x: r.CollectionRow) -> list:
        return [x.key, M(x.due), M(x.collected), x.rate, x.billed_households, x.paid_households, x.household_rate,
                M(x.arrears_start), M(x.recovered), x.recovery_rate, M(x.prepaid), M(x.other)]

    title = "收费率统计表" + ("（当月收缴）" if rep.in_period else "")
    return Document(title, rep.meta, [
        KeyValues([("账期", f"{rep.from_period} 至 {rep.to_period}"), ("实收截止日", rep.cutoff),
                   ("分组", r.GROUPINGS[rep.by]), ("当期收费率", rep.total.rate)], columns=4),
        Table(cols, [row(x) for x in rep.rows], row(rep.total)),
        Text("口径：收费率 = 当期实收 ÷ 当期应收（当期应收为本期账单金额减减免；"
             "当期实收为截止日前分配到本期账单的款项）；"
             "户收费率 = 缴清户 ÷ 应缴户；清欠率 = 欠费追回 ÷ 期初欠费。"
             "预存款、往期欠费追回和滞纳金等其他收费单独列示，"
             "不计入当期实收。", 7.5),
    ], landscape=True)


def ageing(rep: r.AgeingReport) -> Document:
    labels = [label for label, _, _ in BUCKETS]
    detail_cols = [Column("编号", 1.1), Column("业主", 0.9), Column("电话", 1.2), Column("面积㎡", 0.7, "r"),
                   Column("欠费项目", 2.2), Column("最早到期", 1, "c"), Column("逾期天数", 0.8, "r"),
                   Column("欠费金额", 1.1, "r")] + [Column(BUCKET_NAMES[k], 0.85, "r") for k in labels] + [
                   Column("欠费原因", 1.2)]
    rows = ([x.code, x.owner, x.phone, f"{x.area / 100:.2f}", x.fees, x.oldest_due, x.days_overdue, M(x.amount)]
            + [M(x.buckets.get(k, 0)) if x.buckets.get(k) else "" for k in labels] + [x.reason] for x in rep.rows)
    total = (["合计", f"{len(rep.rows)} 户", "", "", "", "", "", M(rep.total)] + [M(rep.by_bucket[k]) for k in labels]
             + [""])
    bld_cols = [Column("楼栋", 1), Column("欠费户数", 0.8, "r"), Column("欠费金额", 1.2, "r")] + [
        Column(BUCKET_NAMES[k], 1, "r") for k in labels]
    bld_rows = [[b or "（无楼栋）", rep.accounts_by_building[b], M(sum(v.values()))] + [M(v[k]) for k in labels]
                for b, v in rep.by_building.items()]
    bld_total = ["合计", len(rep.rows), M(rep.total)] + [M(rep.by_bucket[k]) for k in labels]
    return Document("欠费明细及账龄分析表", rep.meta, [
        KeyValues([("统计截止日", rep.as_of), ("欠费户数", len(rep.rows)), ("欠费总额", M(rep.total)),
                   ("楼栋", rep.building or "全部")], columns=4),
        Table(bld_cols, bld_rows, bld_total, title="一、按楼栋及账龄汇总"),
        Table(detail_cols, rows, total, title="二、欠费明细", sheet="欠费明细"),
    ], landscape=True)


def journal(rep: r.JournalReport) -> Document:
    cols = [Column("日期", 1, "c"), Column("时间", 0.55, "c"), Column("收据号", 1.25), Column("类别", 0.55, "c"),
            Column("缴费户", 0.9), Column("缴费人", 0.7), Column("收费项目", 2.4), Column("结算方式", 1.5),
            Column("金额", 1, "r"), Column("收费员", 0.8), Column("收费点", 0.9), Column("原收据/原因", 1.3)]
    acc = {"count": 0, "amount": 0}

    def rows():
        for x in rep.rows:
            acc["count"] += 1
            if x.kind not in r.NON_MONEY_KINDS:  # waivers and write-offs change charges, not money
                acc["amount"] += x.amount
            yield [x.business_date, x.time, x.receipt_no, x.kind, x.account, x.payer, x.items, x.tenders, M(x.amount),
                   x.operator, x.station, x.reference]

    return Document("收费明细表", rep.meta, [
        Table(cols, rows(), lambda: ["合计", "", f"{acc['count']} 笔", "", "", "", "（减免、核销不计入金额合计）", "",
                                     M(acc["amount"]), "", "", ""]),
    ], landscape=True)


def income(rep: r.IncomeReport) -> Document:
    fee_cols = [Column("收费项目", 2), Column("类别", 1.2), Column("科室", 1.2), Column("金额", 1.3, "r")]
    return Document("收入汇总表", rep.meta, [
        Table(fee_cols, [[x.name, x.category, x.department, M(x.amount)] for x in rep.by_fee],
              ["合计", "", "", M(rep.total)], title="一、按收费项目"),
        Table([Column("类别", 2), Column("金额", 1.3, "r")],
              [[k, M(v)] for k, v in rep.by_category.items()], ["合计", M(rep.total)], title="二、按类别"),
        Table([Column("结算方式", 2), Column("金额", 1.3, "r")],
              [[k, M(v)] for k, v in rep.by_tender.items()], ["合计", M(sum(rep.by_tender.values()))],
              title="三、按结算方式"),
        Table([Column("科室", 2), Column("自营收入", 1.3, "r")],
              [[k, M(v)] for k, v in rep.by_department.items()], ["合计", M(sum(rep.by_department.values()))],
              title="四、科室收入（自营收入及滞纳金）"),
    ])


def statement(rep: r.Statement) -> Document:
    cols = [Column("日期", 1, "c"), Column("摘要", 3), Column("应收", 1.1, "r"), Column("缴款", 1.1, "r"),
            Column("调整", 1.1, "r"), Column("余额", 1.1, "r")]
    rows = [[x.business_date, x.description, M(x.charged) if x.charged else "", M(x.paid) if x.paid else "",
             M(x.corrected) if x.corrected else "", M(x.balance)] for x in rep.lines]
    return Document(
        "缴费户对账单",
        rep.meta,
        [
            KeyValues(
                [
                    ("缴费户", rep.account),
                    ("业主", rep.owner),
                    ("地址", rep.address),
                    ("电话", rep.phone),
                    ("期初余额", M(rep.opening)),
                    ("期末余额", M(rep.closing)),
                ]
            ),
            Table(
                cols,
                [[rep.date_from, "期初余额", "", "", "", M(rep.opening)]] + rows,
                [rep.date_to, "本期合计 / 期末余额", M(rep.charged), M(rep.paid), M(rep.corrected), M(rep.closing)],
            ),
            Text(
                f"余额为正表示欠费，为负表示预存结余。期末预存余额：{Money(rep.prepaid_closing)} 元。"
                f"期末余额大写：{to_chinese_upper(Money(abs(rep.closing)))}"
                + ("（预存结余）" if rep.closing < 0 else "")
            ),
            Signatures(["经办人", "缴费户确认"]),
        ],
    )


def tariffs(rep: r.TariffSchedule) -> Document:
    cols = [Column("收费项目", 1.3), Column("类别", 1), Column("计费方式", 0.9), Column("收费标准", 1.6),
            Column("周期", 0.6, "c"), Column("执行日期", 1, "c"), Column("缴费期限", 1.4), Column("滞纳金", 1.9),
            Column("调整预告", 1.6)]
    rows = [[x.name, x.category, x.method, x.rate, x.cycle, x.effective_from, x.due_rule, x.late_fee_rule,
             x.next_change] for x in rep.rows]
    return Document("收费标准公示", rep.meta, [
        Table(cols, rows),
        Text("以上收费标准经物业服务合同约定及有关部门备案。如有疑问，请致电物业服务中心"
             + (f"：{rep.hotline}" if rep.hotline else "") + "。", 10),
    ], landscape=True)


def plan(rep: r.PlanReport) -> Document:
    cols = [Column("月份", 0.9, "c"), Column("范围", 0.8), Column("对象", 1.2), Column("计划", 1.2, "r"),
            Column("实收", 1.2, "r"), Column("差额", 1.2, "r"), Column("完成率", 0.9, "r"), Column("状态", 0.7, "c"),
            Column("达标线/预警线", 1.2, "c")]
    rows = [[x.month, x.scope, x.key, M(x.target), M(x.actual), M(x.variance), x.rate, x.band,
             f"{x.ok_pct}% / {x.alert_pct}%"] for x in rep.rows]
    return Document("计划与实收对比表", rep.meta, [
        Table(cols, rows),
        Text("实收：当月收款分配到该范围缴费户费用的金额（含当期、往期欠费和滞纳金；预存在抵扣费用时才计入）。"
             "状态：完成率不低于达标线为“达标”，低于预警线为“预警”，其间为“关注”。", 7.5),
    ])


def tickets(rep) -> Document:
    """投诉报修统计表 (`tickets.TicketReport`)."""
    cols = [Column("受理月份", 1, "c"), Column("受理", 0.7, "r"), Column("办结", 0.7, "r"),
            Column("按期办结", 0.8, "r"), Column("未办结", 0.7, "r"), Column("其中超期", 0.8, "r"),
            Column("平均处理天数", 1, "r"), Column("处理及时率", 1, "r"), Column("满意率", 1, "r")]

    def row(m) -> list:
        return [m.month, m.received, m.closed, m.on_time, m.still_open, m.overdue, m.average_days, m.on_time_rate,
                m.satisfaction_rate]

    return Document("投诉报修处理统计表", rep.meta, [
        KeyValues([("受理月份", f"{rep.first_month} 至 {rep.last_month}"), ("类型", rep.kind or "全部")], columns=2),
        Table(cols, [row(m) for m in rep.months], row(rep.total)),
        Text("口径：处理及时率 = 按期办结 ÷（受理 − 未到期的未办结工单）；超期未办结计为未按期。"
             "满意率 = 满意及非常满意 ÷ "
             "已回访（不含未能回访）。平均处理天数 = 已办结工单从受理到办结的营业日天数平均值。", 7.5),
    ])
