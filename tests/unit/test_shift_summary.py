"""The remittance summary of a shift close: its stored JSON reads back as the same named figures."""

from app.services.desk.closes import FeeTakings, ReceiptsUsed, RefundLine, ShiftSummary, VoidLine

SUMMARY = ShiftSummary(
    fee_items=[FeeTakings("WYF", "物业费", "revenue", 38800)], prepaid=1200,
    receipts=ReceiptsUsed("W0100000001", "W0100000003", 3, ["W0100000002"], []),
    refunds=[RefundLine("W0100000001", 1500, "refund"), RefundLine("", 1200, "prepaid_refund")],
    voids=[VoidLine("W0100000002", 38800)], movements={"top_up": 10000, "drop": -40000}, hand_ins=0,
    handed_out=0, float_amount=20000, cash_takings=30000, bank_run=0)


def test_the_stored_form_keeps_its_keys_and_reads_back():
    stored = SUMMARY.to_json()
    assert list(stored) == ["fee_items", "prepaid", "receipts", "refunds", "voids", "movements", "hand_ins",
                            "handed_out", "float", "cash_takings", "bank_run"]
    assert stored["voids"] == [{"receipt_no": "W0100000002", "amount": 38800}]
    assert stored["float"] == 20000
    assert ShiftSummary.from_json(stored) == SUMMARY


def test_a_close_saved_before_voids_were_listed_reads_with_none():
    stored = SUMMARY.to_json()
    del stored["voids"]
    assert ShiftSummary.from_json(stored).voids == []
