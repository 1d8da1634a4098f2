"""Who owns and who pays: changes of owner (过户) as dated events, and paying occupants.

Writes `ownership_change` (append-only) and the account's owner fields and parties. Rules:

- A change of owner has an effective date (not in the future, not before the account's last
  change). What was owed on charges due on or before that date is settled in one of three ways:
  * settled (结清): nothing may be owed — the former owner pays first; otherwise refused with
    the amount;
  * transferred (新业主承接): the new owner takes the arrears over — both parties agree, and a
    supervisor other than the clerk approves (maker-checker);
  * kept (前业主欠费): the arrears stay the former owner's debt. They stay on the unit's books
    (the journal is not rewritten), are shown apart on the account card as the former owner's,
    and are left off the new owner's bill notices and dunning notices. Also approved.
  History keeps both owners: the row records former and new owner, the amount and its fate.
- Editing the owner's name on an account that owes anything is refused (that is a 过户).
- A paying occupant (tenant, shop operator) is a party of the account besides the owner; a
  payment records who actually paid (`payments.pay(payer_name=…)`), shown on the receipt.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import InvalidInput
from app.models import (
    Account,
    AccountParty,
    ArrearsOnTransfer,
    Charge,
    OwnershipChange,
    PartyRole,
    Person,
    Posting,
)
from app.money import format_yuan
from app.services import Actor, validate
from app.services.clock import utcnow
from app.services.journal import audit, ledger
from app.services.master.accounts import find_account, pinyin_initials
from app.services.system import auth, settings

MODE_NAMES = {"settled": "已结清", "transferred": "新业主承接", "kept": "保留为前业主欠费"}
ROLE_NAMES = {"tenant": "租户", "payer": "缴费人"}


@dataclass(frozen=True, slots=True)
class OwnershipRow:
    account_code: str
    effective_date: dt.date
    former_owner: str
    new_owner: str
    mode: str  # 中文
    arrears: int

    def to_json(self) -> dict:
        return {"account": self.account_code, "effective_date": self.effective_date.isoformat(),
                "former_owner": self.former_owner, "new_owner": self.new_owner, "arrears": self.mode,
                "amount": format_yuan(self.arrears)}


def owed_up_to(session: Session, account_id: int, day: dt.date) -> int:
    """What the account owes now on charges due on or before `day` (receivable, from the journal)."""
    return int(session.scalar(
        select(func.coalesce(func.sum(Posting.amount), 0)).join(Charge, Charge.id == Posting.charge_id)
        .where(Posting.book == ledger.RECEIVABLE, Posting.account_id == account_id, Charge.due_date <= day)))


def set_owner_fields(acc: Account, owner: str, phone: str) -> None:
    """The account's owner and the search fields that follow from it (name pinyin, phone digits)."""
    acc.owner_name, acc.pinyin_initials = owner, pinyin_initials(owner)
    acc.owner_phone, acc.phone_last4 = phone, re.sub(r"\D", "", phone)[-4:]


def transfer_ownership(session: Session, *, actor: Actor, account_code: str, new_owner: str,
                       effective_date: dt.date, arrears: str, new_phone: str = "", approver: str = "",
                       approver_password: str = "", reason: str = "", note: str = "",
                       at: dt.datetime | None = None) -> OwnershipRow:
    """过户 (see the module docstring for the three ways the arrears up to the date are settled)."""
    auth.require(session, actor, auth.SUPERVISE)
    acc = find_account(session, account_code, lock=True)
    new_owner = validate.text("新业主", new_owner, 60, required=True)
    new_phone = validate.phone(new_phone)
    note = validate.text("备注", note, 500)
    mode = next((code for code, name in MODE_NAMES.items() if (arrears or "").strip() in (code, name)), None)
    if mode is None:
        raise InvalidInput(
            f"欠费处理方式不正确：“{arrears}”（可选：{'、'.join(f'{k}({v})' for k, v in MODE_NAMES.items())}）"
        )
    at = at or utcnow()
    today = settings.business_day(session, at)
    if effective_date > today:
        raise InvalidInput(f"过户日期 {effective_date.isoformat()} 不能晚于今天 {today.isoformat()}")
    last = session.scalar(select(func.max(OwnershipChange.effective_date))
                          .where(OwnershipChange.account_id == acc.id))
    if last is not None and effective_date < last:
        raise InvalidInput(f"过户日期早于该户上一次过户（{last.isoformat()}）")
    if new_owner == acc.owner_name:
        raise InvalidInput(f"新业主与现业主相同：{new_owner}")
    owed = owed_up_to(session, acc.id, effective_date)
    approval_id = None
    if owed and mode == "settled":
        raise InvalidInput(f"{acc.code} 在 {effective_date.isoformat()} 前的欠费 {format_yuan(owed)} 元未结清："
                           "请前业主先缴清，或选择由新业主承接、保留为前业主欠费（均需主管审批）")
    if owed:
        approval_id = auth.approve(session, actor=actor, action="ownership_transfer", approver=approver,
                                   approver_password=approver_password, reason=reason, reference=acc.code,
                                   amount=owed).id
    elif mode != "settled":
        mode = "settled"  # nothing owed up to the date: nothing to take over or keep
    former, former_phone = acc.owner_name, acc.owner_phone
    session.add(OwnershipChange(account_id=acc.id, effective_date=effective_date, former_owner=former,
                                former_phone=former_phone, new_owner=new_owner, new_phone=new_phone,
                                arrears_mode=ArrearsOnTransfer(mode), arrears_amount=owed, approval_id=approval_id,
                                note=note, user_id=actor.user_id, created_at=at))
    set_owner_fields(acc, new_owner, new_phone)
    person = Person(name=new_owner, phone=new_phone, id_number="")
    session.add(person)
    session.flush()
    party = session.scalar(select(AccountParty).where(AccountParty.account_id == acc.id,
                                                      AccountParty.role == PartyRole.OWNER))
    if party is None:
        session.add(AccountParty(account_id=acc.id, person_id=person.id, role=PartyRole.OWNER))
    else:
        party.person_id = person.id  # the former owner's person row stays, named in the history
    audit.record(session, actor, "ownership_transfer", "account", acc.id, code=acc.code,
                 date=effective_date.isoformat(), former=former, new=new_owner, arrears=mode, amount=owed)
    return OwnershipRow(acc.code, effective_date, former, new_owner, MODE_NAMES[mode], owed)


def ownership_history(session: Session, *, actor: Actor, account_code: str) -> list[OwnershipRow]:
    auth.require(session, actor, auth.READ)
    acc = find_account(session, account_code)
    return [OwnershipRow(acc.code, r.effective_date, r.former_owner, r.new_owner, MODE_NAMES[r.arrears_mode.value],
                         r.arrears_amount)
            for r in session.scalars(select(OwnershipChange).where(OwnershipChange.account_id == acc.id)
                                     .order_by(OwnershipChange.id))]


def former_owners_debt(session: Session, account_id: int) -> tuple[str, dt.date, int] | None:
    """(former owner, date, still owed) when the account's last change of owner kept the arrears
    as the former owner's debt and some of it is still owed; None otherwise."""
    last = session.scalars(select(OwnershipChange).where(OwnershipChange.account_id == account_id)
                           .order_by(OwnershipChange.id.desc()).limit(1)).first()
    if last is None or last.arrears_mode != ArrearsOnTransfer.KEPT:
        return None
    owed = owed_up_to(session, account_id, last.effective_date)
    return (last.former_owner, last.effective_date, owed) if owed > 0 else None


def kept_cutoffs(session: Session) -> dict[int, dt.date]:
    """Accounts whose last change of owner kept the arrears as the former owner's: charges due on or
    before the date are not the new owner's (bill notices and dunning leave them out)."""
    latest = select(OwnershipChange.account_id, func.max(OwnershipChange.id).label("last")) \
        .group_by(OwnershipChange.account_id).subquery()
    return dict(session.execute(
        select(OwnershipChange.account_id, OwnershipChange.effective_date)
        .join(latest, latest.c.last == OwnershipChange.id)
        .where(OwnershipChange.arrears_mode == ArrearsOnTransfer.KEPT)).all())


def add_occupant(session: Session, *, actor: Actor, account_code: str, name: str, phone: str = "",
                 role: str = "tenant") -> list[str]:
    """A paying occupant besides the owner (租户, 缴费人); returns the account's occupants."""
    auth.require(session, actor, auth.MASTER)
    acc = find_account(session, account_code)
    name = validate.text("姓名", name, 60, required=True)
    phone = validate.phone(phone)
    if role not in ROLE_NAMES:
        raise InvalidInput(f"身份不正确：“{role}”（可选：tenant 租户、payer 缴费人）")
    person = Person(name=name, phone=phone, id_number="")
    session.add(person)
    session.flush()
    session.add(AccountParty(account_id=acc.id, person_id=person.id, role=PartyRole(role)))
    session.flush()
    audit.record(session, actor, "occupant_add", "account", acc.id, code=acc.code, name=name, role=role)
    return occupants_of(session, acc.id)


def occupants_of(session: Session, account_id: int) -> list[str]:
    """'王租户（租户）' for each party of the account other than its owner."""
    return [f"{name}（{ROLE_NAMES.get(role.value, role.value)}）" for name, role in session.execute(
        select(Person.name, AccountParty.role).join(AccountParty, AccountParty.person_id == Person.id)
        .where(AccountParty.account_id == account_id, AccountParty.role != PartyRole.OWNER)
        .order_by(AccountParty.id))]
