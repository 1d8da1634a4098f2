"""Generate the "estate-L" benchmark ledger: 20,000 accounts, 3 monthly fees, 36 months billed.

    python bench/estate.py --db bench/out/estate-L.db [--accounts 20000] [--months 36]

Accounts, fee items, assignments and the 36 bill runs go through the services. Payments
(~90% of the charges, paid quarterly at one station) use a documented bulk path that
writes exactly the rows `services.payments.pay` writes — payment, tender line,
allocations, balanced journal entry, receipt with its document, hash-chained audit event —
in large transactions, each sealed by one event of the public chain; the result must pass
`feedesk verify`, which this script runs last.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from app.db.engine import make_factory, upgrade  # noqa: E402
from app.models import (  # noqa: E402
    Account,
    Allocation,
    AuditEvent,
    AuditHead,
    Charge,
    FeeItem,
    JournalEntry,
    Payment,
    PaymentKind,
    Posting,
    Receipt,
    ReceiptKind,
    Shift,
    ShiftStatus,
    Station,
    Tender,
    TenderLine,
)
from app.services import Actor, run  # noqa: E402
from app.services.bills import billing, fees  # noqa: E402
from app.services.clock import add_months, at_local_noon  # noqa: E402
from app.services.desk.receipts import DocLine, DocTender, ReceiptDoc, upper  # noqa: E402
from app.services.journal import audit, ledger  # noqa: E402
from app.services.master import accounts  # noqa: E402
from app.services.system import auth, setup  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国志文博涵宇轩欣怡浩然梓萱俊雨桐"
FIRST_PERIOD = dt.date(2023, 12, 1)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def build(db: str, n_accounts: int = 20000, months: int = 36, seed: int = 7) -> dict:
    rng = random.Random(seed)
    Path(db).parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(db + suffix).unlink(missing_ok=True)
    t0 = time.perf_counter()
    upgrade(db)
    factory = make_factory(db)
    run(factory, setup.bootstrap, station_code="W01", admin_password="admin", site_name="基准测试小区")
    with factory() as s:
        admin = Actor(auth.user_by_name(s, "admin").id, "W01")
    run(factory, auth.add_user, actor=admin, username="bench", role="cashier", password="bench")
    with factory() as s:
        cashier = Actor(auth.user_by_name(s, "bench").id, "W01")

    log(f"accounts x{n_accounts}")
    rows = []
    per_building = 4 * 20 * 5
    for i in range(n_accounts):
        b, rest = divmod(i, per_building)
        e, rest = divmod(rest, 100)
        floor, room = divmod(rest, 5)
        owner = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        rows.append(accounts.AccountInput(building=str(b + 1), entrance=str(e + 1), room=f"{floor + 1}{room + 1:02d}",
                                          area=f"{rng.randint(50, 180)}.{rng.randint(0, 99):02d}", owner=owner,
                                          phone=f"13{rng.randint(100000000, 999999999)}"))
    for chunk in range(0, len(rows), 2000):
        with factory.begin() as s:
            for row in rows[chunk:chunk + 2000]:
                accounts.add_account(s, actor=admin, row=row)
    for code, name, method, rate, kind in (("WYF", "物业费", "area", "2.35", "revenue"),
                                           ("LJF", "垃圾处理费", "fixed", "15", "passthrough"),
                                           ("DTF", "电梯运行费", "fixed", "20", "revenue")):
        run(factory, fees.add_fee, actor=admin, code=code, name=name, method=method, rate=rate, cycle="monthly",
            kind=kind, due_days=15, effective_from=dt.date(2020, 1, 1))
        run(factory, fees.assign_fee, actor=admin, fee_code=code, all_accounts=True)

    periods = [add_months(FIRST_PERIOD, m) for m in range(months)]
    bill_times = []
    for p in periods:
        t = time.perf_counter()
        run(factory, billing.bill_run, actor=admin, period=f"{p.year:04d}-{p.month:02d}", at=at_local_noon(p))
        bill_times.append(time.perf_counter() - t)
        log(f"billed {p:%Y-%m} in {bill_times[-1]:.2f}s")

    log("payments (bulk path)")
    n_payments = _bulk_payments(factory, cashier, periods, rng)
    with factory() as s:
        from app.services.journal.verify import verify

        t = time.perf_counter()
        result = verify(s)
        verify_s = time.perf_counter() - t
    factory.kw["bind"].dispose()
    summary = {"db": db, "accounts": n_accounts, "months": months, "payments": n_payments,
               "charges": result.counts["charges"], "postings": result.counts["postings"],
               "verify_ok": result.ok, "first_failure": result.first_failure, "verify_s": round(verify_s, 2),
               "bill_run_median_s": round(sorted(bill_times)[len(bill_times) // 2], 2),
               "build_s": round(time.perf_counter() - t0, 1)}
    log(json.dumps(summary, ensure_ascii=False))
    if not result.ok:
        raise SystemExit(f"estate-L failed verify: {result.first_failure}")
    return summary


def _bulk_payments(factory, cashier: Actor, periods: list[dt.date], rng: random.Random) -> int:
    """Quarterly payments per account of everything billed so far, ~90% of charges paid.

    Each account pays at the end of each quarter; 10% of accounts stop paying at a random
    point (they make the arrears). Writes the same rows as `payments.pay` would.
    """
    with factory.begin() as s:
        audit.start_chain(s, "W01")  # an estate from before migration 0006 has no station chains yet
    with factory() as s:
        station = s.scalar(select(Station).where(Station.code == "W01"))
        next_ids = {m: (s.scalar(select(func.max(m.id))) or 0) + 1
                    for m in (Payment, TenderLine, Allocation, JournalEntry, Posting, Receipt, Shift)}
        head = s.scalar(select(AuditHead).where(AuditHead.chain == "W01"))
        audit_seq, prev_hash = head.last_seq, head.last_hash
        number = station.next_receipt_no
        charges_by_account: dict[int, list[tuple[int, int, int, dt.date]]] = {}
        for cid, acc, fee_id, amount, start in s.execute(
                select(Charge.id, Charge.account_id, Charge.fee_item_id, Charge.amount, Charge.period_start)
                .order_by(Charge.account_id, Charge.id)):
            charges_by_account.setdefault(acc, []).append((cid, fee_id, amount, start))
        fee_names = dict(s.execute(select(FeeItem.id, FeeItem.name)).all())
        codes = dict(s.execute(select(Account.id, Account.code)).all())
        owners = dict(s.execute(select(Account.id, Account.owner_name)).all())
    stop_at = {acc: rng.randrange(len(periods)) if rng.random() < 0.10 else len(periods) for acc in charges_by_account}
    quarters = [periods[i:i + 3] for i in range(0, len(periods), 3)]
    count = 0
    for q in quarters:
        pay_day = min(add_months(q[-1], 1) + dt.timedelta(days=rng.randint(0, 12)), dt.date.today())
        at = at_local_noon(pay_day)
        shift_id = next_ids[Shift]
        next_ids[Shift] += 1
        batch: dict[type, list[dict]] = {
            m: [] for m in (Payment, TenderLine, Allocation, JournalEntry, Posting, Receipt)
        }
        audits: list[dict] = []
        for acc, charges in charges_by_account.items():
            due = [c for c in charges if c[3] in q and periods.index(c[3]) < stop_at[acc]]
            if not due:
                continue
            total = sum(c[2] for c in due)
            pid, eid, rid = next_ids[Payment], next_ids[JournalEntry], next_ids[Receipt]
            receipt_no = f"{station.receipt_prefix}{number:08d}"
            batch[Payment].append(dict(id=pid, kind=PaymentKind.PAYMENT, receipt_no=receipt_no, account_id=acc,
                                       payer_name=owners[acc], payer_id_number="", shift_id=shift_id,
                                       station_id=station.id, user_id=cashier.user_id, business_date=pay_day,
                                       created_at=at, tendered=total, change=0, allocated=total, prepaid_added=0,
                                       reason="", training=False))
            batch[TenderLine].append(dict(id=next_ids[TenderLine], payment_id=pid, method=Tender.CASH, amount=total,
                                          reference=""))
            batch[JournalEntry].append(dict(id=eid, kind="payment", business_date=pay_day, created_at=at,
                                            user_id=cashier.user_id, station_id=station.id, shift_id=shift_id,
                                            payment_id=pid, memo=receipt_no, training=False))
            batch[Posting].append(dict(id=next_ids[Posting], entry_id=eid, book=ledger.DRAWER, amount=total,
                                       shift_id=shift_id, tender="cash"))
            next_ids[Posting] += 1
            for cid, fee_id, amount, _start in due:
                batch[Allocation].append(dict(id=next_ids[Allocation], payment_id=pid, charge_id=cid, amount=amount))
                next_ids[Allocation] += 1
                batch[Posting].append(dict(id=next_ids[Posting], entry_id=eid, book=ledger.RECEIVABLE, amount=-amount,
                                           account_id=acc, fee_item_id=fee_id, charge_id=cid))
                next_ids[Posting] += 1
            doc = ReceiptDoc(kind="payment", title="收款收据", receipt_no=receipt_no, site_name="基准测试小区",
                             station="W01 收费窗口", cashier="bench", issued_at=f"{pay_day} 12:00:00",
                             business_date=pay_day.isoformat(), account_code=codes[acc], payer=owners[acc],
                             lines=[DocLine(fee_names[f], f"{st:%Y-%m}", "", a, a) for _, f, a, st in due],
                             total=total, total_upper=upper(total), tenders=[DocTender("cash", "现金", total)],
                             tendered=total, change=0, prepaid_added=0, prepaid_balance=0, arrears_after=0,
                             footer="", hotline="", verify_code="")
            batch[Receipt].append(dict(id=rid, receipt_no=receipt_no, kind=ReceiptKind.PAYMENT, payment_id=pid,
                                       station_id=station.id, range_id=None, number=number, document=doc.to_json(),
                                       created_at=at))
            audit_seq += 1
            payload = audit.canonical(dict(receipt_no=receipt_no, account=codes[acc], tendered=total, allocated=total,
                                           change=0, prepaid_added=0, tenders=[("cash", total)]))
            h = audit._digest(prev_hash, audit_seq, at.isoformat(), cashier.user_id, "W01", "payment", "payment",
                              str(pid), payload)
            audits.append(
                dict(
                    chain="W01",
                    seq=audit_seq,
                    created_at=at,
                    user_id=cashier.user_id,
                    station="W01",
                    action="payment",
                    entity="payment",
                    entity_id=str(pid),
                    payload=payload,
                    prev_hash=prev_hash,
                    hash=h,
                )
            )
            prev_hash = h
            for m in (Payment, TenderLine, JournalEntry, Receipt):
                next_ids[m] += 1
            number += 1
            count += 1
        with factory.begin() as s:
            s.execute(insert(Shift), [dict(id=shift_id, station_id=station.id, cashier_id=cashier.user_id,
                                           status=ShiftStatus.ACCEPTED, business_date=pay_day, float_amount=0,
                                           float_by_id=None, opened_at=at, closed_at=at, accepted_at=at,
                                           accepted_by_id=None, training=False)])
            for m in (Payment, TenderLine, JournalEntry, Posting, Allocation, Receipt):
                for i in range(0, len(batch[m]), 20000):
                    s.execute(insert(m), batch[m][i:i + 20000])
            for i in range(0, len(audits), 20000):
                s.execute(insert(AuditEvent), audits[i:i + 20000])
            st = s.get(Station, station.id)
            st.next_receipt_no = number
            # The quarter's rows are one transaction: its seal (services.sealing) goes into this event.
            audit.record(s, None, "bench_payments", "shift", shift_id, payments=len(batch[Payment]))
            hd = s.scalar(select(AuditHead).where(AuditHead.chain == "W01"))
            hd.last_seq, hd.last_hash = audit_seq, prev_hash
        log(f"paid quarter {q[0]:%Y-%m}: {count} payments so far")
    return count


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", default="bench/out/estate-L.db")
    p.add_argument("--accounts", type=int, default=20000)
    p.add_argument("--months", type=int, default=36)
    args = p.parse_args()
    print(json.dumps(build(args.db, args.accounts, args.months), ensure_ascii=False))


if __name__ == "__main__":
    main()

