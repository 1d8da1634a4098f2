"""Accounts (缴费户): creation, import, search and the account card.

The account card's money figures (arrears, prepaid, deposits) are journal sums; the
charges list is each charge with its journal outstanding.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from app.models import (
    Account,
    AccountKind,
    AccountParty,
    AccountStatus,
    Allocation,
    Charge,
    ChargeKind,
    FeeItem,
    PartyRole,
    Payment,
    Person,
    Site,
)
from app.money import format_yuan
from app.services import Actor, validate
from app.services.journal import audit, ledger
from app.services.system import auth, settings

STATUS_NAMES = {"occupied": "已入住", "vacant": "空置", "delivered": "已交付未收房", "closed": "已销户"}
STATUS_BY_TEXT = {**{v: k for k, v in STATUS_NAMES.items()}, **{k: k for k in STATUS_NAMES},
                  "已交付": "delivered", "未收房": "delivered", "入住": "occupied", "销户": "closed", "": "occupied"}
KIND_BY_TEXT = {"住宅": "unit", "房屋": "unit", "商铺": "unit", "车位": "parking", "合同": "contract",
                "患者": "patient", "其他": "other", "": "unit", **{k.value: k.value for k in AccountKind}}


def pinyin_initials(text: str) -> str:
    """'张三丰' -> 'zsf' (first letters of each syllable; ASCII letters kept)."""
    if not text:
        return ""
    from pypinyin import Style, lazy_pinyin

    return "".join(p[0] for p in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore") if p).lower()[:20]


def parse_area(text: str) -> int:
    """'89.5' m² -> 8950 hundredths of m²; refuses negatives and over-precision."""
    text = (text or "").strip()
    if not text:
        return 0
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"面积格式不正确：“{text}”") from None
    if not value.is_finite() or value < 0 or value > 100000 or value != value.quantize(Decimal("0.01")):
        raise InvalidInput(f"面积不正确：“{text}”（0–100000，最多两位小数）")
    return int(value * 100)


def default_site(session: Session) -> Site:
    site = session.scalar(select(Site).order_by(Site.id))
    if site is None:
        raise NotFound("账本尚未初始化，请先运行 feedesk init")
    return site


_ACCOUNT_BY_CODE = select(Account).where(Account.code == bindparam("code"))
_ACCOUNT_BY_CODE_LOCKED = _ACCOUNT_BY_CODE.with_for_update(key_share=True)


def find_account(session: Session, code: str, *, lock: bool = False) -> Account:
    """The account of a code. `lock=True` also takes the account row lock in the same read
    (`concurrency.lock_account`: one window at a time changes an account's money)."""
    acc = session.scalars(_ACCOUNT_BY_CODE_LOCKED if lock else _ACCOUNT_BY_CODE,
                          {"code": (code or "").strip()}).first()
    if acc is None:
        raise NotFound(f"找不到缴费户“{code}”")
    return acc


@dataclass(frozen=True, slots=True)
class AccountInput:
    building: str = ""
    entrance: str = ""
    room: str = ""
    code: str = ""
    kind: str = "unit"
    area: str = ""
    owner: str = ""
    phone: str = ""
    status: str = "occupied"
    id_number: str = ""
    tags: str = ""


def _validated(row: AccountInput) -> AccountInput:
    """Check one row; return it with code/kind/status normalised. Raises InvalidInput."""
    for label, value, limit in (("楼栋", row.building, 20), ("单元", row.entrance, 20), ("房号", row.room, 20),
                                ("编号", row.code, 40), ("业主", row.owner, 60), ("身份证号", row.id_number, 30),
                                ("标签", row.tags, 200)):
        validate.text(label, value, limit)
    code = row.code.strip() or "-".join(p for p in (row.building.strip(), row.entrance.strip(), row.room.strip()) if p)
    if not code:
        raise InvalidInput("缺少编号：请填写楼栋、单元、房号或编号")
    kind = KIND_BY_TEXT.get(row.kind.strip())
    if kind is None:
        raise InvalidInput(f"类型不正确：“{row.kind}”")
    status = STATUS_BY_TEXT.get(row.status.strip())
    if status is None:
        raise InvalidInput(f"状态不正确：“{row.status}”（已入住、空置、已交付未收房、已销户）")
    phone = validate.phone(row.phone)
    parse_area(row.area)
    return AccountInput(row.building.strip(), row.entrance.strip(), row.room.strip(), code, kind,
                        row.area.strip(), row.owner.strip(), phone, status, row.id_number.strip(), row.tags.strip())


def _insert_account(session: Session, site_id: int, row: AccountInput) -> Account:
    acc = Account(site_id=site_id, code=row.code, kind=AccountKind(row.kind), building=row.building,
                  entrance=row.entrance, room=row.room, built_area=parse_area(row.area), inner_area=0,
                  status=AccountStatus(row.status), owner_name=row.owner, owner_phone=row.phone,
                  phone_last4=re.sub(r"\D", "", row.phone)[-4:], pinyin_initials=pinyin_initials(row.owner),
                  tags=row.tags, note="")
    session.add(acc)
    session.flush()
    if row.owner:
        person = Person(name=row.owner, phone=row.phone, id_number=row.id_number)
        session.add(person)
        session.flush()
        session.add(AccountParty(account_id=acc.id, person_id=person.id, role=PartyRole.OWNER))
    return acc


def add_account(session: Session, *, actor: Actor, row: AccountInput) -> str:
    auth.require(session, actor, auth.MASTER)
    site = default_site(session)
    row = _validated(row)
    if session.scalar(select(Account.id).where(Account.code == row.code)):
        raise InvalidInput(f"缴费户“{row.code}”已存在")
    acc = _insert_account(session, site.id, row)
    audit.record(session, actor, "account_add", "account", acc.id, code=acc.code)
    return acc.code


HEADERS = {
    "楼栋": "building", "building": "building", "单元": "entrance", "entrance": "entrance",
    "房号": "room", "room": "room", "建筑面积": "area", "面积": "area", "area": "area",
    "业主": "owner", "owner": "owner", "电话": "phone", "phone": "phone", "状态": "status",
    "status": "status", "编号": "code", "code": "code", "类型": "kind", "kind": "kind",
    "身份证号": "id_number", "id_number": "id_number", "标签": "tags", "tags": "tags",
}


@dataclass(frozen=True, slots=True)
class ImportResult:
    imported: int
    errors: list[str] = field(default_factory=list)


def read_table(path: Path) -> list[list[str]]:
    """Rows of a CSV (UTF-8 with or without BOM, or GB18030) or XLSX file, as text.

    An XLSX formula cell is refused, its line named. CSV has no formulas: a value such as
    `=HYPERLINK(...)` is kept as the text it is (it may be someone's legitimate data) and
    every export neutralises it (`app.reports.document.safe_cell`).
    """
    if not path.exists():
        raise InvalidInput(f"文件不存在：{path}")
    if not path.is_file():
        raise InvalidInput(f"不是文件：{path}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True)
            cells = [list(r) for r in wb.active.iter_rows()]
            wb.close()
        except Exception as exc:  # openpyxl raises many kinds on a broken file
            raise InvalidInput(f"无法读取 Excel 文件：{exc.__class__.__name__}") from None
        # A formula is not data: its value is whatever Excel last computed (or nothing), and
        # `=HYPERLINK(...)` or `=cmd|...` in a name is an attack on whoever opens an export.
        formulas = [f"第 {c.row} 行：{c.coordinate} 单元格是公式（{str(c.value)[:40]}），请改为文字或数值后再导入"
                    for r in cells for c in r if getattr(c, "data_type", None) == "f"]
        if formulas:
            raise InvalidInput("导入失败，未导入任何数据：\n" + "\n".join(formulas[:50]), errors=formulas)
        return [["" if v is None else (str(v) if not isinstance(v, float) or not v.is_integer() else str(int(v)))
                 for v in (getattr(c, "value", None) for c in r)] for r in cells]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"无法读取文件：{path.name}（{exc.strerror}）") from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput("无法识别文件编码（请用 UTF-8 或 GBK 保存）")
    try:
        return [row for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise InvalidInput(f"CSV 格式错误：{exc}") from None


def import_accounts(session: Session, *, actor: Actor, path: str) -> ImportResult:
    """Import all rows or none: every bad row is reported with its line number."""
    auth.require(session, actor, auth.MASTER)
    site = default_site(session)
    rows = read_table(Path(path))
    if not rows:
        raise InvalidInput("文件为空")
    header = [HEADERS.get(h.strip().lower() if h.isascii() else h.strip()) for h in rows[0]]
    if "room" not in header and "code" not in header:
        raise InvalidInput("表头缺少“房号”或“编号”列（表头：楼栋,单元,房号,建筑面积,业主,电话,状态）")
    existing = set(session.scalars(select(Account.code)))
    errors: list[str] = []
    good: list[AccountInput] = []
    seen: set[str] = set()
    for lineno, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        data = {key: (values[i] if i < len(values) else "") for i, key in enumerate(header) if key}
        try:
            row = _validated(AccountInput(**data))
        except InvalidInput as exc:
            errors.append(f"第 {lineno} 行：{exc.message}")
            continue
        if row.code in existing or row.code in seen:
            errors.append(f"第 {lineno} 行：缴费户“{row.code}”重复")
            continue
        seen.add(row.code)
        good.append(row)
    if errors:
        raise InvalidInput("导入失败，未导入任何数据：\n" + "\n".join(errors[:50]), errors=errors)
    for row in good:
        _insert_account(session, site.id, row)
    audit.record(session, actor, "account_import", "account", "", rows=len(good), file=Path(path).name)
    return ImportResult(len(good))


@dataclass(frozen=True, slots=True)
class AccountHit:
    code: str
    owner: str
    phone: str
    building: str
    status: str


# The highest code point: `col >= q AND col < q + TOP` is "starts with q" as an index range.
_TOP = "\U0010ffff"


def _starts_with(column, prefix: str):
    """A prefix match the index can serve (LIKE is case-insensitive in SQLite, so it scans)."""
    return and_(column >= prefix, column < prefix + _TOP)


def search_accounts(session: Session, *, actor: Actor, query: str, limit: int = 20) -> list[AccountHit]:
    """Code prefix, owner name, last 4 phone digits or pinyin initials, best first.

    Each condition is an index range, so a keystroke costs a few index probes even on
    20,000 accounts; wildcards in the query are plain characters.
    """
    auth.require(session, actor, auth.READ)
    q = (query or "").strip()
    if not q or len(q) > 40:
        return []
    conds = [_starts_with(Account.code, q), _starts_with(Account.owner_name, q)]
    if q.isdigit() and len(q) == 4:
        conds.append(Account.phone_last4 == q)
    if q.isascii() and q.isalpha():
        conds.append(_starts_with(Account.pinyin_initials, q.lower()))
    rows = session.execute(
        select(Account.code, Account.owner_name, Account.owner_phone, Account.building, Account.status)
        .where(or_(*conds)).order_by(Account.code != q, Account.code).limit(limit)
    )
    return [AccountHit(c, o, _mask_phone(p), b, STATUS_NAMES[s.value]) for c, o, p, b, s in rows]


def _mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else phone


@dataclass(frozen=True, slots=True)
class ChargeRow:
    id: int
    fee: str
    fee_code: str
    period: str
    basis: str
    amount: int
    paid: int
    adjusted: int
    outstanding: int
    due_date: dt.date
    overdue_days: int
    kind: str


@dataclass(frozen=True, slots=True)
class AccountCard:
    code: str
    owner: str
    phone: str
    kind: str
    status: str
    building: str
    built_area: int
    tags: str
    note: str
    arrears: int
    prepaid: int
    deposits: int
    charges: list[ChargeRow]
    #: Open complaints/repairs of the account, one line each (the cashier sees them at the window).
    open_tickets: tuple[str, ...] = ()
    #: Occupants who may pay besides the owner ('王五（租户）').
    occupants: tuple[str, ...] = ()
    #: '前业主张三欠费 1060.24 元（2026-12-01 过户前）' when a change of owner kept the arrears as theirs.
    former_owner_debt: str = ""
    #: Charges due on or before this date are the former owner's (kept at a change of owner).
    former_owner_until: dt.date | None = None
    #: Written off but still collectable (账销案存): '#12 物业费 2026-09 200.00'; select it to collect it.
    written_off: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "open_tickets": list(self.open_tickets), "occupants": list(self.occupants),
            "former_owner_debt": self.former_owner_debt, "written_off": list(self.written_off),
            "code": self.code, "owner": self.owner, "phone": self.phone, "kind": self.kind,
            "status": self.status, "built_area": f"{self.built_area / 100:.2f}",
            "arrears": format_yuan(self.arrears), "prepaid": format_yuan(self.prepaid),
            "deposits": format_yuan(self.deposits),
            "charges": [{"id": c.id, "fee": c.fee, "period": c.period, "amount": format_yuan(c.amount),
                         "paid": format_yuan(c.paid), "outstanding": format_yuan(c.outstanding),
                         "due_date": c.due_date.isoformat(), "overdue_days": c.overdue_days}
                        for c in self.charges],
        }


def account_card(session: Session, *, actor: Actor, code: str, as_of: dt.date | None = None,
                 include_paid: bool = False) -> AccountCard:
    """The account card: people, money figures from the journal, outstanding charges oldest first."""
    from app.services.bills import billing  # they find accounts through this module
    from app.services.master import owners, tickets  # they find accounts through this module

    auth.require(session, actor, auth.READ)
    acc = find_account(session, code)
    as_of = as_of or settings.today(session)
    outstanding_q = (
        select(ledger.Posting.charge_id, func.sum(ledger.Posting.amount).label("due"))
        .where(ledger.Posting.book == ledger.RECEIVABLE, ledger.Posting.account_id == acc.id)
        .group_by(ledger.Posting.charge_id)
    )
    if not include_paid:
        outstanding_q = outstanding_q.having(func.sum(ledger.Posting.amount) != 0)
    due_by_charge = {cid: int(due) for cid, due in session.execute(outstanding_q)}
    charges: list[ChargeRow] = []
    if due_by_charge:
        paid = dict(session.execute(
            select(Allocation.charge_id, func.sum(Allocation.amount))
            .join(Payment, Payment.id == Allocation.payment_id)
            .where(Allocation.charge_id.in_(due_by_charge), Payment.training.is_(False))
            .group_by(Allocation.charge_id)).all())
        rows = session.execute(
            select(Charge, FeeItem.name, FeeItem.code).join(FeeItem, FeeItem.id == Charge.fee_item_id)
            .where(Charge.id.in_(due_by_charge)).order_by(Charge.due_date, Charge.id))
        for ch, fee_name, fee_code in rows:
            p = int(paid.get(ch.id, 0))
            out = due_by_charge[ch.id]
            charges.append(ChargeRow(
                ch.id, fee_name + ("滞纳金" if ch.kind == ChargeKind.LATE_FEE else ""), fee_code,
                ch.period or "", ch.basis, ch.amount, p, ch.amount - p - out, out, ch.due_date,
                max(0, (as_of - ch.due_date).days) if out > 0 else 0, ch.kind.value))
    arrears, prepaid = ledger.account_balances(session, acc.id)
    debt = owners.former_owners_debt(session, acc.id)
    return AccountCard(
        code=acc.code, owner=acc.owner_name, phone=acc.owner_phone, kind=acc.kind.value,
        status=STATUS_NAMES[acc.status.value], building=acc.building, built_area=acc.built_area,
        tags=acc.tags, note=acc.note,
        arrears=arrears,
        prepaid=prepaid,
        deposits=-ledger.balance(session, ledger.DEPOSIT_HELD, account_id=acc.id),
        charges=charges,
        open_tickets=tuple(t.summary() for t in tickets.open_tickets_of(session, acc.id, as_of)),
        occupants=tuple(owners.occupants_of(session, acc.id)),
        former_owner_debt=_former_owner_debt_text(debt),
        former_owner_until=debt[1] if debt else None,
        written_off=tuple(f"#{cid} {fee} {period} {format_yuan(amount)}".replace("  ", " ")
                          for cid, fee, period, amount in billing.written_off_charges(session, acc.id)),
    )


def _former_owner_debt_text(debt) -> str:
    if debt is None:
        return ""
    name, day, owed = debt
    return f"前业主{name}欠费 {format_yuan(owed)} 元（{day.isoformat()} 过户前，不向新业主催缴）"
