"""Back-office use cases: editing an account's master data, walk-in payers, site settings.

Money never changes here: an account edit touches people, area, status, tags and note (a
new area applies to the next bill run; charges already billed keep their basis). Every
change is checked (permission, input) and recorded as an audit event with old and new values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import InvalidInput
from app.models import Account, AccountKind, AccountParty, AccountStatus, PartyRole, Person, Site
from app.money import Money, format_yuan
from app.services import Actor, validate
from app.services.desk.cashdesk import ACTION_NAMES, MANDATORY_APPROVAL
from app.services.journal import audit, ledger
from app.services.master.accounts import STATUS_BY_TEXT, default_site, find_account, parse_area, pinyin_initials
from app.services.master.owners import set_owner_fields
from app.services.system import auth, settings


@dataclass(frozen=True, slots=True)
class AccountChanged:
    code: str
    changed: dict[str, tuple[str, str]]


def update_account(session: Session, *, actor: Actor, code: str, owner: str | None = None,
                   phone: str | None = None, area: str | None = None, status: str | None = None,
                   tags: str | None = None, note: str | None = None) -> AccountChanged:
    """Edit master data of an account; fields left as None stay as they are."""
    auth.require(session, actor, auth.MASTER)
    acc = find_account(session, code)
    changed: dict[str, tuple[str, str]] = {}

    def put(field: str, old: object, new: object) -> None:
        if str(old) != str(new):
            changed[field] = (str(old), str(new))

    if owner is not None:
        owner = validate.text("业主", owner, 60)
        if owner != acc.owner_name:
            owed = ledger.account_balances(session, acc.id)[0]
            if owed > 0:  # a new name on an account in arrears would silently hand the debt over
                raise InvalidInput(f"{acc.code} 有欠费 {format_yuan(owed)} 元：更换业主请办理过户"
                                   "（feedesk account transfer），以确定欠费归属")
        put("owner", acc.owner_name, owner)
    if phone is not None:
        phone = validate.phone(phone)
        put("phone", acc.owner_phone, phone)
    if owner is not None or phone is not None:
        set_owner_fields(acc, acc.owner_name if owner is None else owner, acc.owner_phone if phone is None else phone)
    if area is not None:
        value = parse_area(area)
        put("built_area", acc.built_area, value)
        acc.built_area = value
    if status is not None:
        key = STATUS_BY_TEXT.get(status.strip())
        if key is None:
            raise InvalidInput(f"状态不正确：“{status}”（已入住、空置、已交付未收房、已销户）")
        put("status", acc.status.value, key)
        acc.status = AccountStatus(key)
    if tags is not None:
        tags = validate.text("标签", tags, 200)
        put("tags", acc.tags, tags)
        acc.tags = tags
    if note is not None:
        note = validate.text("备注", note, 500)
        put("note", acc.note, note)
        acc.note = note
    if changed:
        _sync_owner(session, acc)
        audit.record(session, actor, "account_update", "account", acc.id, code=acc.code, changed=changed)
    return AccountChanged(acc.code, changed)


def _sync_owner(session: Session, acc: Account) -> None:
    """Keep the owner's person row in step with the account's owner fields."""
    person = session.scalar(select(Person).join(AccountParty, AccountParty.person_id == Person.id).where(
        AccountParty.account_id == acc.id, AccountParty.role == PartyRole.OWNER))
    if person is None and acc.owner_name:
        person = Person(name=acc.owner_name, phone=acc.owner_phone, id_number="")
        session.add(person)
        session.flush()
        session.add(AccountParty(account_id=acc.id, person_id=person.id, role=PartyRole.OWNER))
    elif person is not None:
        person.name, person.phone = acc.owner_name, acc.owner_phone


@dataclass(frozen=True, slots=True)
class WalkIn:
    code: str
    name: str
    created: bool


def walk_in(session: Session, *, actor: Actor, name: str, id_number: str = "", phone: str = "") -> WalkIn:
    """A payer without an account (划价收费 at a hospital-style window): their own account.

    The same ID number finds the same walk-in account again, so a returning patient's
    receipts and statement stay together. Codes are `LK` + a number.
    """
    auth.require(session, actor, auth.CHARGE)
    name = validate.text("姓名", name, 60)
    if not name:
        raise InvalidInput("请填写缴费人姓名")
    id_number = validate.text("证件号", id_number, 30).upper()
    if id_number and not re.fullmatch(r"[0-9A-Z\-]{4,30}", id_number):
        raise InvalidInput(f"证件号格式不正确：“{id_number}”")
    phone = validate.phone(phone)
    if id_number:
        existing = session.scalar(
            select(Account).join(AccountParty, AccountParty.account_id == Account.id)
            .join(Person, Person.id == AccountParty.person_id)
            .where(Account.code.like("LK%"), Person.id_number == id_number).limit(1))
        if existing is not None:
            return WalkIn(existing.code, existing.owner_name, False)
    site = default_site(session)
    number = (session.scalar(select(func.max(Account.id))) or 0) + 1
    acc = Account(site_id=site.id, code=f"LK{number:06d}", kind=AccountKind.PATIENT, building="", entrance="",
                  room="", built_area=0, inner_area=0, status=AccountStatus.OCCUPIED, owner_name=name,
                  owner_phone=phone, phone_last4=re.sub(r"\D", "", phone)[-4:], pinyin_initials=pinyin_initials(name),
                  tags="散客", note="")
    session.add(acc)
    session.flush()
    person = Person(name=name, phone=phone, id_number=id_number)
    session.add(person)
    session.flush()
    session.add(AccountParty(account_id=acc.id, person_id=person.id, role=PartyRole.PAYER))
    audit.record(session, actor, "walk_in", "account", acc.id, code=acc.code, name=name)
    return WalkIn(acc.code, name, True)


# ---- settings ----------------------------------------------------------------------------

SETTING_LABELS = {
    "receipt_footer": "收据页脚", "cash_limit": "钱箱现金上限（元）", "close_difference_limit": "轧帐差额审批线（元）",
    "day_cutoff": "营业日切换时间", "handin_cutoff": "交账截止时间", "require_receipt_ranges": "必须领用票据号段",
    "preprinted_stock": "预印号票据", "approval_required": "需要主管审批的操作", "lockout_attempts": "登录失败锁定次数",
    "backup_keep": "保留自动备份份数", "backup_auto": "自动备份", "receipt_low_warning": "票据余量提醒（张）",
    "correction_limit_cashier": "收费员改价免审批额度（元）", "correction_limit_supervisor": "主管改价免审批额度（元）",
    "password_min_length": "主管/管理员密码最少位数", "close_wait_minutes": "轧帐待验收提醒（分钟）",
}
_YUAN = {"cash_limit", "close_difference_limit", "correction_limit_cashier", "correction_limit_supervisor"}
_FLAGS = {"require_receipt_ranges", "preprinted_stock", "backup_auto"}
_COUNTS = {"lockout_attempts": (1, 20), "backup_keep": (1, 365), "receipt_low_warning": (0, 10000),
           "password_min_length": (4, 64), "close_wait_minutes": (1, 1440)}
_TIMES = {"day_cutoff", "handin_cutoff"}
#: The actions `approval_required` may list, in the order the back office shows them.
APPROVABLE = ("void", "refund", "deposit_refund", "prepaid_refund", "waiver", "write_off", "price_override")
_APPROVABLE = set(APPROVABLE)
_MANDATORY_LISTED = [a for a in ("void", "refund", "deposit_refund", "prepaid_refund", "waiver", "write_off")
                     if a in MANDATORY_APPROVAL]


@dataclass(frozen=True, slots=True)
class SettingRow:
    key: str
    label: str
    value: str  # as a person types it: yuan for money, 是/否 is '1'/'0'


def list_settings(session: Session, *, actor: Actor) -> list[SettingRow]:
    auth.require(session, actor, auth.READ)
    site = default_site(session)
    rows = [SettingRow("site_name", "单位名称", site.name), SettingRow("hotline", "服务电话", site.hotline)]
    for key, label in SETTING_LABELS.items():
        value = settings.get(session, key)
        if key in _YUAN:
            value = str(Money(int(value or 0)))
        rows.append(SettingRow(key, label, value))
    return rows


def update_setting(session: Session, *, actor: Actor, key: str, value: str) -> SettingRow:
    """Change one setting (administrator), validated per kind of setting, recorded in the audit."""
    auth.require(session, actor, auth.ADMIN)
    value = (value or "").strip()
    if key in ("site_name", "hotline"):
        site: Site = default_site(session)
        new = validate.text("单位名称" if key == "site_name" else "服务电话", value, 120 if key == "site_name" else 40)
        if key == "site_name" and not new:
            raise InvalidInput("单位名称不能为空")
        old = site.name if key == "site_name" else site.hotline
        setattr(site, "name" if key == "site_name" else "hotline", new)
        audit.record(session, actor, "setting", "site", site.id, key=key, old=old, new=new)
        return SettingRow(key, "单位名称" if key == "site_name" else "服务电话", new)
    if key not in SETTING_LABELS:
        raise InvalidInput(f"不能在此修改的设置项：{key}")
    stored = _stored(key, value)
    old = settings.get(session, key)
    settings.put(session, key, stored)
    audit.record(session, actor, "setting", "setting", key, old=old, new=stored)
    return SettingRow(key, SETTING_LABELS[key], value)


def update_reason_presets(session: Session, *, actor: Actor, kind: str, reasons: list[str]) -> list[str]:
    """The preset reasons of one correction kind (administrator), one a line, recorded in the audit."""
    from app.services.desk.corrections import REASON_KINDS

    auth.require(session, actor, auth.ADMIN)
    if kind not in REASON_KINDS:
        raise InvalidInput(f"未知的更正类别：{kind}")
    name = ACTION_NAMES[kind]
    items = []
    for r in reasons:
        r = validate.text(f"{name}原因", r, 40)
        if r and r not in items:
            items.append(r)
    stored = "\n".join(items)
    if len(stored) > 500:
        raise InvalidInput(f"{name}的预设原因太多（合计不超过 500 字）")
    key = f"reasons_{kind}"
    old = settings.get(session, key)
    settings.put(session, key, stored)
    audit.record(session, actor, "setting", "setting", key, old=old, new=stored)
    return items


def mark_demo_ledger(session: Session, *, actor: Actor) -> SettingRow:
    """Flag the ledger as the demo estate (`feedesk init --demo`), recorded in the audit like any setting.

    Not one of the settings an administrator edits (`update_setting` refuses the key): only
    the demo builder sets it, and the log-in page then lists the demo users.
    """
    auth.require(session, actor, auth.ADMIN)
    old = settings.get(session, "demo")
    settings.put(session, "demo", "1")
    audit.record(session, actor, "setting", "setting", "demo", old=old, new="1")
    return SettingRow("demo", "演示账本", "1")


def _stored(key: str, value: str) -> str:
    label = SETTING_LABELS[key]
    if key in _YUAN:
        return str(Money.parse(value).fen)
    if key in _FLAGS:
        if value not in ("0", "1"):
            raise InvalidInput(f"{label}只能是 1（是）或 0（否）")
        return value
    if key in _COUNTS:
        lo, hi = _COUNTS[key]
        if not value.isdigit() or not lo <= int(value) <= hi:
            raise InvalidInput(f"{label}须是 {lo}–{hi} 之间的整数")
        return str(int(value))
    if key in _TIMES:
        m = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", value)
        if not m:
            raise InvalidInput(f"{label}格式不正确（例：16:00）")
        return value
    if key == "approval_required":
        items = [v.strip() for v in value.replace("，", ",").split(",") if v.strip()]
        unknown = [v for v in items if v not in _APPROVABLE]
        if unknown:
            raise InvalidInput(f"未知的操作：{'、'.join(unknown)}（可选：{'、'.join(sorted(_APPROVABLE))}）")
        # Settings only add approvals: the mandatory ones stay listed (and are required anyway).
        removed = [ACTION_NAMES[a] for a in _MANDATORY_LISTED if a not in items]
        if removed:
            raise InvalidInput(f"{'、'.join(removed)}必须由另一位主管审批，不能取消（设置只能增加审批）")
        return ",".join(items)
    return validate.text(label, value, 500)
