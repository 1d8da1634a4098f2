"""Property: random sequences of bill runs, charges and payments keep the books verified."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.errors import FeeDeskError
from app.models import Posting
from app.services.bills import billing
from app.services.journal import ledger as books
from app.services.journal.verify import verify
from tests.conftest import fresh_ledger
from tests.helpers import assign_all, at, card, make_accounts, make_fee, open_shift, pay

ACCOUNTS = ["1-1-101", "1-1-102", "2-1-101"]
TENDERS = ["cash", "card", "wechat", "alipay", "prepaid", "transfer"]

step = st.one_of(
    st.tuples(st.just("bill"), st.sampled_from(["2026-07", "2026-08", "2026-09", "2026-10"])),
    st.tuples(st.just("charge"), st.sampled_from(ACCOUNTS), st.integers(1, 5)),
    st.tuples(st.just("pay"), st.sampled_from(ACCOUNTS),
              st.lists(st.tuples(st.sampled_from(TENDERS), st.integers(1, 80000)), min_size=1, max_size=3),
              st.booleans()),
)


def postings(lg) -> int:
    with lg.session() as session:
        return session.scalar(select(func.count()).select_from(Posting))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(step, min_size=1, max_size=12))
def test_random_bills_and_payments_keep_verify_green(template_db, steps):
    with fresh_ledger(template_db) as lg:
        make_accounts(lg, "1-1-101 张三 89.5\n1-1-102 李四 120\n2-1-101 王五 60.25")
        make_fee(lg, "WYF 物业费 area 2.35 monthly", due_days=15, late_fee_daily="0.0005")
        make_fee(lg, "WXF 维修费 quantity 50 once")
        assign_all(lg, "WYF")
        open_shift(lg, float_yuan="100", day="2026-07-01")
        for s in steps:
            kind = s[0]
            written_before = postings(lg)
            try:
                if kind == "bill":
                    lg.run(billing.bill_run, actor=lg.actor("admin"), period=s[1], at=at(s[1] + "-01"))
                elif kind == "charge":
                    lg.run(billing.add_charge, actor=lg.actor("demo"), account_code=s[1], fee_code="WXF",
                           quantity=str(s[2]), at=at("2026-11-20"))
                else:
                    before = card(lg, s[1])
                    tenders = [f"{m}={fen // 100}.{fen % 100:02d}" for m, fen in s[2]]
                    r = pay(lg, s[1], *tenders, change_to_prepaid=s[3], day="2026-11-25")
                    after = card(lg, s[1])
                    paid_now = sum(a.amount for a in r.allocated)
                    late = sum(x.amount for x in r.late_fees)
                    assert before.arrears + late - paid_now == after.arrears
                    # What the receipt prints as "after this payment" is what the journal now holds.
                    assert (r.arrears_after, r.prepaid_balance) == (after.arrears, after.prepaid)
                    assert r.total_tendered - r.change == paid_now + r.prepaid_added
                    assert after.prepaid >= 0
            except FeeDeskError as exc:
                # A refusal is allowed: it explains itself and writes nothing.
                assert exc.message and postings(lg) == written_before
            with lg.session() as session:
                result = verify(session)
                assert result.ok, result.first_failure
                assert session.scalar(select(func.coalesce(func.sum(Posting.amount), 0))) == 0
                assert books.balance(session, books.PREPAID) <= 0
