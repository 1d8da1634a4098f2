"""The words a person reads for the program's codes: one table per enum, one home for each word.

A receipt, a slip, a report, a screen and the CLI that show a tender or a kind of cash movement
take its Chinese from here, so the same code never prints as two different words. Keys are the
enum values as stored (`Tender.CASH.value == "cash"`). Imports nothing of the program.
"""

from __future__ import annotations

#: Tender (结算方式), as printed on receipts and counted in closes and reports; the order is the
#: order of report columns.
TENDER_NAMES = {"cash": "现金", "card": "银行卡", "wechat": "微信支付", "alipay": "支付宝", "transfer": "转账",
                "cheque": "支票", "prepaid": "预存抵扣", "insurance": "医保"}

#: CashMovementKind (款项类别) of a drawer: in (top_up, paid_in) or out (drop, bank_run, counterfeit).
MOVEMENT_NAMES = {"top_up": "备用金补充", "paid_in": "短款补交", "drop": "投库", "bank_run": "送银行",
                  "counterfeit": "假币"}
