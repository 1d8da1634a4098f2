"""The demo estate (`feedesk init --demo`): 幸福里小区, built through the services.

Four buildings of 80 units, 40 parking spaces, property, refuse, water and parking fees,
six months billed up to the current month, most paid at the window, some in arrears.
Users: cashier `demo`/`demo`, supervisor `boss`/`boss`. Deterministic (fixed seed).
The history shifts (zhou at W02, one per day with payments) are closed, accepted and banked,
and every past day is settled; today stays open for the demo cashier.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select

from app.models import Charge, Payment, User
from app.money import format_yuan
from app.services import Actor, run
from app.services.bills import billing, fees
from app.services.clock import add_months, at_local_noon, month_end
from app.services.desk import payments, shifts
from app.services.master import accounts
from app.services.master.admin import mark_demo_ledger, update_setting
from app.services.system import auth, settings, setup

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强文博子涵宇轩欣怡浩然梓萱俊杰雨桐"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def build_demo(factory, *, station_code: str, today: dt.date | None = None) -> dict:
    """Fill an initialised ledger with the demo estate. Refuses a ledger that has accounts."""
    rng = random.Random(20261125)
    with factory() as s:
        # the site's business day (time zone and cut-off), not this computer's calendar date:
        # after 16:00 UTC they differ in China, and "today stays open" must mean the ledger's today
        today = today or settings.today(s)
        admin_id = auth.user_by_name(s, "admin").id
        if s.scalar(select(func.count()).select_from(Charge)):
            return {"accounts": 0, "charges": 0, "payments": 0, "note": "账本已有数据，未加入演示数据"}
    admin = Actor(admin_id, station_code)
    with factory.begin() as s:  # through the audited back-office services: the audit chain records them
        update_setting(s, actor=admin, key="site_name", value="幸福里物业服务中心")
        update_setting(s, actor=admin, key="hotline", value="0571-88886666")
        mark_demo_ledger(s, actor=admin)
    for username, role, display in (("demo", "cashier", "演示收费员"), ("boss", "supervisor", "值班长老王"),
                                    ("zhou", "cashier", "周收费员")):
        run(factory, auth.add_user, actor=admin, username=username, role=role, password=username,
            display_name=display)

    rows = []
    for b in range(1, 5):
        for e in range(1, 3):
            for floor in range(1, 11):
                for r in range(1, 5):
                    owner = _name(rng)
                    phone = f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
                    status = rng.choices(["occupied", "vacant", "delivered"], [85, 10, 5])[0]
                    rows.append(
                        accounts.AccountInput(
                            building=str(b),
                            entrance=str(e),
                            room=f"{floor}0{r}",
                            area=f"{rng.choice([68, 89, 96, 118, 135])}.{rng.randint(0, 99):02d}",
                            owner=owner,
                            phone=phone,
                            status=status,
                        )
                    )
    for n in range(1, 41):
        rows.append(accounts.AccountInput(code=f"P-{n:03d}", kind="parking", owner=_name(rng),
                                          phone=f"139{rng.randint(10000000, 99999999)}"))
    with factory.begin() as s:
        for row in rows:
            accounts.add_account(s, actor=admin, row=row)

    start = add_months(today.replace(day=1), -5)
    first = dt.date(start.year, start.month, 1)
    for code, name, method, rate, cycle, kind, extra in (
        (
            "WYF",
            "物业费",
            "area",
            "2.35",
            "monthly",
            "revenue",
            dict(due_days=15, late_fee_daily="0.0005", late_fee_grace=30),
        ),
        ("LJF", "垃圾处理费", "fixed", "15", "monthly", "passthrough", dict(due_days=15)),
        ("SF", "水费", "metered", "3.45", "monthly", "passthrough", dict(due_days=15, unit_name="吨")),
        ("TCF", "停车费", "fixed", "150", "monthly", "revenue", dict(due_days=10)),
        ("ZXYJ", "装修押金", "quantity", "2000", "once", "deposit", dict(unit_name="户")),
        ("WXF", "维修服务费", "quantity", "50", "once", "revenue", dict(unit_name="次")),
    ):
        run(factory, fees.add_fee, actor=admin, code=code, name=name, method=method, rate=rate, cycle=cycle,
            kind=kind, effective_from=dt.date(2020, 1, 1), **extra)
    for b in ("1", "2", "3", "4"):
        run(factory, fees.assign_fee, actor=admin, fee_code="WYF", building=b)
        run(factory, fees.assign_fee, actor=admin, fee_code="LJF", building=b)
    run(factory, fees.assign_fee, actor=admin, fee_code="SF", building="1")
    for n in range(1, 41):
        run(factory, fees.assign_fee, actor=admin, fee_code="TCF", account_code=f"P-{n:03d}")

    unit_codes = [r.code or f"{r.building}-{r.entrance}-{r.room}" for r in rows if r.kind == "unit"]
    water = [c for c in unit_codes if c.startswith("1-")]
    readings = {c: rng.randint(100, 900) for c in water}
    with factory.begin() as s:
        for c in water:
            billing.read_meter(s, actor=admin, account_code=c, fee_code="SF", reading=str(readings[c]),
                               read_on=first - dt.timedelta(days=1))
    for m in range(6):
        month = add_months(first, m)
        period = f"{month.year:04d}-{month.month:02d}"
        with factory.begin() as s:
            for c in water:
                readings[c] += rng.choice([0, 8, 10, 12, 15, 60]) if rng.random() < 0.05 else rng.randint(6, 18)
                billing.read_meter(s, actor=admin, account_code=c, fee_code="SF", reading=str(readings[c]),
                                   read_on=min(today, month_end(month)))
        run(factory, billing.bill_run, actor=admin, period=period, at=at_local_noon(month))

    # Payments by the history cashier: most households pay a few times over the months.
    # The history is collected at a second window so the demo window starts with no open shift.
    run(factory, setup.add_station, code="W02", name="二号窗口")
    with factory() as s:
        zhou = Actor(auth.user_by_name(s, "zhou").id, "W02")
    payers = [c for c in unit_codes + [f"P-{n:03d}" for n in range(1, 41)] if rng.random() < 0.8]
    count = 0
    schedule = sorted((min(today - dt.timedelta(days=1), first + dt.timedelta(days=rng.randint(20, 170))), code)
                      for code in payers)
    # One history shift per day with payments (a payment is dated on its shift's business day).
    shift_day = None
    for pay_day, code in schedule:
        if pay_day != shift_day:
            if shift_day is not None:
                _close_shift(factory, zhou, shift_day)
            run(factory, shifts.open_shift, actor=zhou, float_amount="500", at=at_local_noon(pay_day))
            shift_day = pay_day
        with factory() as s:
            card = accounts.account_card(s, actor=zhou, code=code, as_of=pay_day)
        due_now = [c for c in card.charges if c.due_date <= pay_day + dt.timedelta(days=40)]
        if not due_now:
            continue
        amount = sum(c.outstanding for c in due_now)
        method = rng.choices(["cash", "wechat", "alipay", "card"], [40, 35, 15, 10])[0]
        if method == "cash":
            tendered = -(-amount // 10000) * 10000  # rounded up to the next 100 yuan
            tender = payments.TenderInput("cash", tendered)
        else:
            tender = payments.TenderInput(method, amount, f"DEMO{rng.randint(10**9, 10**10 - 1)}")
        run(factory, payments.pay, actor=zhou, account_code=code, tenders=[tender],
            charge_ids=[c.id for c in due_now], at=at_local_noon(pay_day))
        count += 1
    if shift_day is not None:
        _close_shift(factory, zhou, shift_day)
    settled = _settle_history(factory, zhou, first, today)
    with factory() as s:
        charges = s.scalar(select(func.count()).select_from(Charge))
        paid = s.scalar(select(func.count()).select_from(Payment))
    return {"accounts": len(rows), "charges": charges, "payments": paid, "history_payments": count,
            "settled_days": settled, "printer": _demo_printer(factory, admin, station_code)}


def _demo_printer(factory, admin: Actor, station_code: str) -> str:
    """The demo window prints to a file next to the ledger (var/printer-W01.bin), in ESC/POS
    bytes like a real printer; each job also leaves a PNG of the receipt beside it
    (printer-W01.bin.last.png). No listener has to be running."""
    from pathlib import Path

    from app.config import data_dir
    from app.services.desk import print_jobs as printing

    url = factory.kw["bind"].url
    folder = Path(url.database).resolve().parent if url.drivername.startswith("sqlite") and url.database \
        else data_dir()
    target = str(folder / f"printer-{station_code}.bin")
    run(factory, printing.add_printer, actor=admin, name=f"演示打印机{station_code}", connection="file",
        target=target, width_mm=80, mode="text", default=True, station_code=station_code)
    return target


def _close_shift(factory, zhou: Actor, day: dt.date) -> None:
    """Close zhou's history shift of `day` (counted by denomination), have boss accept it and bank
    its cash takings, so the demo ledger looks like a real one."""
    from app.services.desk import closes, settlement
    from app.services.desk.cashdesk import denominations

    late = at_local_noon(day) + dt.timedelta(hours=5)
    with factory() as s:
        boss = Actor(auth.user_by_name(s, "boss").id, zhou.station_code)
        shift = shifts.open_shift_of(s, s.get(User, zhou.user_id), auth.station_of(s, zhou))
        cash = shifts.drawer_balance(s, shift.id)
        faces = sorted(denominations(s), reverse=True)
    count: dict[int, int] = {}
    for face in faces:
        count[face], cash = divmod(cash, face)
    run(factory, closes.close_shift, actor=zhou, count=count, reason="分币未计入点钞" if cash else "", at=late)
    run(factory, closes.accept_close, actor=boss, shift_id=shift.id, at=late)
    with factory() as s:
        takings = closes.expected_figures(s, actor=boss, shift_id=shift.id).summary.cash_takings
    if takings > 0:
        run(factory, settlement.bank_deposit, actor=boss, amount=format_yuan(takings), slip=f"DEMO-{shift.id:04d}",
            for_date=day, at=late)


def _settle_history(factory, zhou: Actor, first: dt.date, today: dt.date) -> int:
    """Settle every past day; today stays open for the demo cashier."""
    from app.services.desk import settlement

    with factory() as s:
        boss = Actor(auth.user_by_name(s, "boss").id, zhou.station_code)
    day = first
    n = 0
    while day < today:
        run(factory, settlement.settle_day, actor=boss, day=day, at=at_local_noon(today), backup=False)
        day += dt.timedelta(days=1)
        n += 1
    return n
