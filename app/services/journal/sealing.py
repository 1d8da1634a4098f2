"""Seals: every financial row, user and setting is bound into the audit chain.

The audit chain proves its events were not edited; a seal proves the rows behind them were
not forged, edited or deleted either:

- Every financial table (`SEALED`) has a `txn` column, filled by a Python-side default
  (`models.base.Txn`) with the id of the session transaction writing the row (ORM flushes and
  Core inserts alike). When that transaction commits, `seal` reads back the rows it wrote, per
  table, and the audit hook (`audit._link_pending`) puts their count and digest into the
  payload of the transaction's last audit event before hashing it. A transaction that writes
  financial rows but records no audit event is refused (`Unsealed`): every use case records one.
- Users and settings are mutable: every change of a user's state (all columns except the
  failed-login counter, which log-in moves on its own) or of a setting puts the hash of the
  row's new state into the seal of its transaction's audit event.
- Rows written before migration 0007 carry no txn: the migration sealed them in one event of
  the public chain (`legacy`: per table the highest id, the count and the digest of those rows;
  the state of every user and setting).

`check` (verify) streams every sealed table in id order and recomputes: a row whose txn no
audit event sealed (or with no txn above the legacy seal) is forged; a txn whose rows differ
from its seal in number or content was edited, added to or deleted from; a user or setting
whose state differs from the state its latest audit event sealed was changed behind the
program's back. The canonical row form is the same on SQLite and PostgreSQL (typed values,
dates in ISO form), so `feedesk db migrate` keeps the seals valid.

Callers must not write sealed tables outside a Session transaction (the row gets no txn and
verify names it as forged), and must not change the canonical form of existing rows: a new
column on a sealed table changes the digest of every old row unless it is left out of
`columns` for rows written before it.
"""

from __future__ import annotations

import hashlib
import json
import secrets

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    String,
    event,
    inspect,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session

from app.errors import FeeDeskError
from app.models import AuditEvent, Base, Setting, User
from app.models.base import TXN_STATE

#: Financial tables under seal (every append-only table but the audit log itself), and what a
#: person calls one row of each.
SEALED: dict[str, str] = {
    "charge": "费用", "charge_adjustment": "减免/核销", "meter_reading": "抄表记录", "approval": "审批记录",
    "payment": "收款", "tender_line": "付款明细", "allocation": "收款分配", "receipt": "收据",
    "receipt_number_event": "票据号记录", "journal_entry": "分录", "posting": "分录明细",
    "cash_movement": "现金存取", "hand_in": "交账", "shift_close": "轧帐", "shift_reopen": "轧帐重开",
    "shift_accept": "轧帐确认", "handover": "交接班", "payment_correction": "作废/退费记录",
    "balance_refund": "余额退款", "price_override": "改价", "day_settlement": "日结", "month_close": "月结",
    "bank_deposit": "解款", "reading_review": "抄表复核",
}
#: User columns outside the sealed state: log-in counts failures by itself (a lock it causes is sealed).
USER_UNSEALED = {"failed_logins"}
SEAL_KEY = "seal"
_TOUCHED = "feedesk_touched"


class Unsealed(FeeDeskError):
    message = "本次操作写入了账目但没有审计记录，已撤销（程序错误，请联系管理员）"


class TxnState:
    """The running transaction's id and the sealed tables it wrote (connection.info[TXN_STATE])."""

    __slots__ = ("txn", "tables", "open")

    def __init__(self) -> None:
        self.txn = secrets.randbits(62) or 1
        self.tables: set[str] = set()
        self.open = True


@event.listens_for(Session, "after_begin")
def _begin_txn(session: Session, transaction, connection) -> None:
    state = TxnState()
    connection.info[TXN_STATE] = state
    session.info[TXN_STATE] = state


@event.listens_for(Session, "after_transaction_end")
def _end_txn(session: Session, transaction) -> None:
    if transaction.parent is None:
        state = session.info.pop(TXN_STATE, None)
        if state is not None:
            state.open = False  # the pooled connection keeps the object: later writes get no txn
        session.info.pop(_TOUCHED, None)


@event.listens_for(Session, "before_flush")
def _note_touched(session: Session, flush_context, instances) -> None:
    touched = session.info.setdefault(_TOUCHED, [])
    for obj in session.new:
        if isinstance(obj, (User, Setting)):
            touched.append(obj)
    for obj in session.dirty:
        if isinstance(obj, User):
            attrs = inspect(obj).attrs
            if any(attrs[c.key].history.has_changes() for c in _USER_COLS):
                touched.append(obj)
        elif isinstance(obj, Setting):
            touched.append(obj)
    for obj in session.deleted:
        if isinstance(obj, (User, Setting)):
            touched.append(obj)


# --- canonical rows -----------------------------------------------------------------------
# A financial row is hashed in the form SQLite stores it (the raw DBAPI values, no SQLAlchemy type
# processing: verify streams millions of rows): integers, text, booleans as 0/1, dates as
# 'YYYY-MM-DD', times as 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's SQLite storage format).
# PostgreSQL's typed values are brought to that form, so a ledger moved by `feedesk db migrate`
# keeps every seal.

def _raw_select(table, where: str = "") -> str:
    cols = ", ".join(f'"{c.name}"' for c in table.columns if c.name != "txn")
    return f'SELECT "txn", {cols} FROM "{table.name}"{where} ORDER BY "id"'


def _to_sqlite_form(table):
    """A function bringing a PostgreSQL row (without txn) to the SQLite form."""
    cols = [c for c in table.columns if c.name != "txn"]
    times = [i for i, c in enumerate(cols) if isinstance(c.type, DateTime)]
    dates = [i for i, c in enumerate(cols) if isinstance(c.type, Date) and not isinstance(c.type, DateTime)]
    flags = [i for i, c in enumerate(cols) if isinstance(c.type, Boolean)]

    def convert(row) -> tuple:
        row = list(row)
        for i in times:
            v = row[i]
            if v is not None:
                row[i] = (f"{v.year:04d}-{v.month:02d}-{v.day:02d} {v.hour:02d}:{v.minute:02d}:{v.second:02d}"
                          f".{v.microsecond:06d}")
        for i in dates:
            if row[i] is not None:
                row[i] = row[i].isoformat()
        for i in flags:
            if row[i] is not None:
                row[i] = int(row[i])
        return tuple(row)

    return convert


def _identity(row) -> tuple:
    return tuple(row)


class _Digest:
    __slots__ = ("h", "n", "first")

    def __init__(self, first: int = 0) -> None:
        self.h = hashlib.sha256()
        self.n = 0
        self.first = first

    def hex(self) -> str:
        return self.h.hexdigest()[:32]


_TABLES = {name: Base.metadata.tables[name] for name in SEALED}
_SELECT_ALL = {name: _raw_select(t) for name, t in _TABLES.items()}
_SELECT_TXN = {name: text(_raw_select(t, ' WHERE "txn" = :txn')) for name, t in _TABLES.items()}
_PG_FORM = {name: _to_sqlite_form(t) for name, t in _TABLES.items()}


def _form(session_or_conn, name: str):
    return _PG_FORM[name] if session_or_conn.get_bind().dialect.name == "postgresql" else _identity


def _conn_form(conn, name: str):
    return _PG_FORM[name] if conn.dialect.name == "postgresql" else _identity


# Users and settings are few: their state is hashed from typed values (enums by value).
_USER = User.__table__
_USER_COLS = [c for c in _USER.columns if c.name not in USER_UNSEALED]
_SETTING = Setting.__table__
_USER_SELECT = select(*[type_coerce(c, String) if isinstance(c.type, Enum) else c for c in _USER_COLS])


def user_state(row) -> str:
    values = tuple(v.isoformat() if hasattr(v, "isoformat") else v for v in row)
    return hashlib.sha256(repr(values).encode("utf-8")).hexdigest()[:32]


def setting_state(key: str, value: str) -> str:
    return hashlib.sha256(repr((key, value)).encode("utf-8")).hexdigest()[:32]


def _digest_rows(rows, convert) -> tuple[int, str, int]:
    h = hashlib.sha256()
    n = top = 0
    for row in rows:
        h.update((repr(convert(row[1:])) + "\n").encode("utf-8"))
        n += 1
        top = row[1]
    return n, h.hexdigest()[:32], top


# --- writing: the seal of one transaction -----------------------------------------------

def seal(session: Session, has_events: bool) -> dict | None:
    """The seal of the committing transaction (after its flush), or None when it wrote nothing sealed.

    Raises `Unsealed` when it wrote sealed rows but records no audit event.
    """
    state: TxnState | None = session.info.get(TXN_STATE)
    touched = session.info.pop(_TOUCHED, [])
    if (state is None or not state.tables) and not touched:
        return None
    if not has_events:
        raise Unsealed()
    out: dict = {}
    if state is not None and state.tables:
        rows = {}
        for name in sorted(state.tables):
            n, digest, _ = _digest_rows(session.execute(_SELECT_TXN[name], {"txn": state.txn}), _form(session, name))
            rows[name] = [n, digest]
        out["txn"] = str(state.txn)
        out["rows"] = rows
        state.tables.clear()  # sealed: linking again before COMMIT finds nothing new to seal
    users: dict[str, str | None] = {}
    settings: dict[str, str | None] = {}
    for obj in touched:
        st = inspect(obj)
        if isinstance(obj, User):
            uid = st.identity[0] if st.identity else None
            if uid is None:
                continue
            row = session.execute(_USER_SELECT.where(_USER.c.id == uid)).first()
            users[str(uid)] = user_state(row) if row is not None else None
        else:
            key = st.identity[0] if st.identity else obj.key
            value = session.scalar(select(_SETTING.c.value).where(_SETTING.c.key == key))
            settings[key] = setting_state(key, value) if value is not None else None
    if users:
        out["users"] = users
    if settings:
        out["settings"] = settings
    return out


def add_to_payload(payload: str, seal_data: dict) -> str:
    from app.services.journal.audit import canonical

    data = json.loads(payload)
    data[SEAL_KEY] = seal_data
    return canonical(data)


def legacy_seal(conn) -> dict | None:
    """Migration 0007: the seal of every row written before it (None on an empty ledger)."""
    legacy = {}
    present = set(inspect(conn).get_table_names())
    for name in _TABLES:
        if name not in present:  # a table of a later migration (upgrading from before 0007)
            continue
        n, digest, top = _digest_rows(conn.exec_driver_sql(_SELECT_ALL[name]), _conn_form(conn, name))
        if n:
            legacy[name] = [top, n, digest]
    users = {str(row[0]): user_state(row) for row in conn.execute(_USER_SELECT.order_by(_USER.c.id))}
    settings = {k: setting_state(k, v) for k, v in conn.execute(select(_SETTING.c.key, _SETTING.c.value))}
    if not (legacy or users or settings):
        return None
    return {"legacy": legacy, "users": users, "settings": settings}


# --- verify ------------------------------------------------------------------------------

def check(session: Session) -> str | None:
    """Name the first financial row, user or setting that no audit event accounts for."""
    seals: dict[str, tuple[int, dict]] = {}  # txn -> (event id, {table: [count, digest]})
    legacy: dict[str, list] = {}
    legacy_event = 0
    users: dict[str, tuple[int, str | None]] = {}
    settings: dict[str, tuple[int, str | None]] = {}
    for ev_id, payload in session.execute(
            select(AuditEvent.id, AuditEvent.payload).where(AuditEvent.payload.like('%"seal":%'))
            .order_by(AuditEvent.id)):
        try:
            data = json.loads(payload).get(SEAL_KEY)
        except (ValueError, AttributeError):
            continue
        if not isinstance(data, dict):
            continue
        if "legacy" in data:  # sealed by a migration: every row up to then, whatever txn it had
            legacy, legacy_event = data["legacy"], ev_id
            seals.clear()
        if "txn" in data:
            seals[data["txn"]] = (ev_id, data.get("rows", {}))
        for uid, h in (data.get("users") or {}).items():
            users[uid] = (ev_id, h)
        for key, h in (data.get("settings") or {}).items():
            settings[key] = (ev_id, h)
    for name in _TABLES:
        broken = _check_table(session, name, seals, legacy.get(name), legacy_event)
        if broken:
            return broken
    for row in session.execute(_USER_SELECT.order_by(_USER.c.id)):
        uid, username = str(row[0]), row[1]
        ev = users.pop(uid, None)
        if ev is None or ev[1] is None:
            return f"用户 {username}（#{uid}）没有对应的审计记录（记录被伪造）"
        if user_state(row) != ev[1]:
            return f"用户 {username}（#{uid}）的角色、密码或状态与审计事件 #{ev[0]} 记录的不符（记录被改动）"
    for uid, (ev_id, h) in users.items():
        if h is not None:
            return f"审计事件 #{ev_id} 记录的用户 #{uid} 不存在（记录被删除）"
    for key, value in session.execute(select(_SETTING.c.key, _SETTING.c.value).order_by(_SETTING.c.key)):
        ev = settings.pop(key, None)
        if ev is None or ev[1] is None:
            return f"设置 {key} 没有对应的审计记录（记录被伪造）"
        if setting_state(key, value) != ev[1]:
            return f"设置 {key} 的值与审计事件 #{ev[0]} 记录的不符（记录被改动）"
    for key, (ev_id, h) in sorted(settings.items()):
        if h is not None:
            return f"审计事件 #{ev_id} 记录的设置 {key} 不存在（记录被删除）"
    return None


def _check_table(session: Session, name: str, seals: dict, legacy: list | None, legacy_event: int) -> str | None:
    label = SEALED[name]
    convert = _form(session, name)
    top = legacy[0] if legacy else 0
    old = hashlib.sha256()
    old_n = 0
    open_: dict[object, _Digest] = {}
    done: set = set()
    cur_txn, cur, cur_count = object(), None, 0  # rows of one txn mostly come together: skip the lookups
    rows = session.connection().execution_options(yield_per=5000).exec_driver_sql(_SELECT_ALL[name])
    for row in rows:
        txn = row[0]
        data = (repr(convert(row[1:])) + "\n").encode("utf-8")
        if txn is not None and txn == cur_txn:
            cur.h.update(data)
            cur.n += 1
        else:
            rid = row[1]
            if txn is None:
                if rid <= top:
                    old.update(data)
                    old_n += 1
                    continue
                return f"{label} #{rid} 没有对应的审计事件（记录被伪造）"
            sealed = seals.get(str(txn))
            expected = sealed[1].get(name) if sealed else None
            if expected is None:
                return f"{label} #{rid} 没有对应的审计事件（记录被伪造）"
            if txn in done:
                return f"{label} #{rid} 不在审计事件 #{sealed[0]} 封存的记录之中（记录被添加）"
            cur = open_.get(txn)
            if cur is None:
                cur = open_[txn] = _Digest(rid)
            cur_txn, cur_count = txn, expected[0]
            cur.h.update(data)
            cur.n += 1
        if cur.n == cur_count:
            del open_[cur_txn]
            done.add(cur_txn)
            sealed = seals[str(cur_txn)]
            if cur.hex() != sealed[1][name][1]:
                return f"{label} #{cur.first}–#{row[1]} 与审计事件 #{sealed[0]} 封存的内容不符（记录被改动）"
            cur_txn = object()
    for txn, d in open_.items():
        ev_id, sealed_rows = seals[str(txn)]
        return (f"审计事件 #{ev_id} 封存的{label}有 {sealed_rows[name][0]} 条，现存 {d.n} 条（自 #{d.first} 起，"
                "记录被删除）")
    for key, (ev_id, sealed_rows) in seals.items():
        if name in sealed_rows and sealed_rows[name][0] and int(key) not in done:
            return f"审计事件 #{ev_id} 封存的{label}有 {sealed_rows[name][0]} 条，现存 0 条（记录被删除）"
    if legacy and (old_n, old.hexdigest()[:32]) != (legacy[1], legacy[2]):
        return (f"迁移前的{label}（#{legacy[0]} 及以前）与封存事件 #{legacy_event} 不符"
                f"（封存 {legacy[1]} 条，现存 {old_n} 条；记录被改动或删除）")
    return None
