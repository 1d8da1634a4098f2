from tests.helpers import assign_all, bill, card, fen, make_accounts, make_fee, open_shift, pay


def test_bill_and_pay_cash_with_change(ledger):
    make_accounts(ledger, "1-2-301 张三 89.50 13800001234")
    make_fee(ledger, "WYF 物业费 area 2.35 monthly", due_days=15)
    assign_all(ledger, "WYF")
    bill(ledger, "2026-09", "2026-10")
    c = card(ledger, "1-2-301")
    # 89.50 m2 x 2.35 = 210.325 -> 210.33 per month, half-up
    assert [ch.amount for ch in c.charges] == [fen("210.33"), fen("210.33")]
    assert c.arrears == fen("420.66")
    open_shift(ledger, float_yuan="200")
    r = pay(ledger, "1-2-301", "cash=500")
    assert r.change == fen("79.34")
    assert r.receipt_no == "W0100000001"
    assert card(ledger, "1-2-301").arrears == 0
