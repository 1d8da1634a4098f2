"""Builders of the printing tests: an estate with charges, a shift, a printer."""

from __future__ import annotations

from app.services.desk import print_jobs as svc
from tests.helpers import assign_all, bill, make_accounts, make_fee, open_shift, pay

TIMEOUT_MS = 800


def estate(lg, owner: str = "张三", *, shift: bool = True, **fee_kw) -> str:
    """One unit with two months of property fee (420.66 due); the cashier `demo` on shift at W01."""
    make_accounts(lg, f"1-2-301 {owner} 89.50 13800001234")
    make_fee(lg, "WYF 物业费 area 2.35 monthly", due_days=15, **fee_kw)
    assign_all(lg, "WYF")
    bill(lg, "2026-09", "2026-10")
    if shift:
        open_shift(lg, float_yuan="200")
    return "1-2-301"


def add_printer(lg, target: str, *, name: str = "前台", connection: str = "network", width: int = 80,
                default: bool = True, **kw) -> svc.PrinterInfo:
    kw.setdefault("timeout_ms", TIMEOUT_MS)
    return lg.run(svc.add_printer, actor=lg.actor("admin"), name=name, connection=connection, target=target,
                  width_mm=width, default=default, **kw)


def cash_payment(lg, code: str = "1-2-301", *tenders: str):
    return pay(lg, code, *(tenders or ("cash=500",)))
