"""Cash-desk operations for the crash child: voids and shift closes (issue 3's services)."""

from __future__ import annotations

from app.services import run
from app.services.desk import shifts
from app.services.desk.closes import close_shift
from app.services.desk.corrections import void_payment


def void_one(factory, cashier, supervisor, committed: list[tuple[int, str]], rng, at) -> str:
    """Void a random payment of this worker's shift (approved by the supervisor 'boss')."""
    _pid, receipt_no = committed.pop(rng.randrange(len(committed)))
    r = run(factory, void_payment, actor=cashier, receipt_no=receipt_no, reason="收错户，作废重收",
            approver="boss", approver_password="boss", at=at)
    return r.receipt_no


def close_and_reopen(factory, cashier, supervisor, rng, at) -> None:
    """Close the open shift with a blind count near the expected cash, then open the next one."""
    shift = run(factory, shifts.current_shift, actor=cashier)
    cash = max(0, run(factory, lambda s: shifts.drawer_balance(s, shift.id)) - rng.randint(0, 9))
    count = {10000: cash // 10000, 10: (cash % 10000) // 10}
    run(factory, close_shift, actor=cashier, count={k: v for k, v in count.items() if v}, reason="零头差额",
        approver="boss", approver_password="boss", at=at)
    run(factory, shifts.open_shift, actor=cashier, float_amount="100", at=at)

