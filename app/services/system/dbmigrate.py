"""`feedesk db migrate --from SRC --to DST`: move a single-window ledger onto a shared server.

Admin operation across two databases (like backup/restore, not a window use case): run it
with the schema OWNER's URL on the target (it creates the schema and resets sequences).

1. The source must be at this program's schema revision and pass `verify` (else refused).
2. The target must hold no rows at all, in any table, except what the migrations seed
   (`alembic_version`, and `audit_head` rows no event was linked to: hash 000…); else it is
   refused before anything is written, not even the schema. Nothing is ever deleted on
   the target. It is then created/upgraded by Alembic.
3. Every table is copied in foreign-key order, rows in id order, ids preserved, through
   SQLAlchemy's typed columns (SQLite's text dates and 0/1 flags become real types); the
   seeded audit chain head is updated in place to the source's.
4. PostgreSQL sequences are moved past the copied ids (`setval`), so new rows continue.
5. Both sides are verified and compared: row counts per table, balance of every book,
   the receipt-number sequence (digest of every number in order, the last one, the
   counters), the audit chain head. Only if all match does the target transaction commit:
   a failed migration leaves the target's tables empty.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import column, func, inspect, literal_column, select, update
from sqlalchemy import table as sql_table
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.db.engine import current_revision, make_engine, upgrade
from app.errors import FeeDeskError, InvalidInput
from app.models import AuditHead, Base, Posting, Receipt, ReceiptRange, Station

CHUNK = 2000


class MigrationFailed(FeeDeskError):
    message = "账本迁移失败，目标数据库未写入任何账目"


@dataclass(frozen=True, slots=True)
class LedgerFigures:
    """What must be equal on both sides."""

    verify_ok: bool
    first_failure: str | None
    rows: dict[str, int]
    books: dict[str, int]
    receipts: int
    last_receipt_no: str
    receipt_digest: str
    counters: dict[str, int]
    audit_heads: dict[str, list]  # chain -> [last seq, last hash]

    def comparable(self) -> dict:
        return {"rows": self.rows, "books": self.books, "receipts": self.receipts,
                "last_receipt_no": self.last_receipt_no, "receipt_digest": self.receipt_digest,
                "counters": self.counters, "audit_heads": self.audit_heads}

    def to_json(self) -> dict:
        return {"verify_ok": self.verify_ok, "first_failure": self.first_failure, **self.comparable()}


@dataclass(frozen=True, slots=True)
class Migrated:
    source: str
    target: str
    tables: int
    rows: int
    source_figures: LedgerFigures
    target_figures: LedgerFigures

    def to_json(self) -> dict:
        return {"source": self.source, "target": self.target, "tables": self.tables, "rows": self.rows,
                "source_figures": self.source_figures.to_json(), "target_figures": self.target_figures.to_json()}


def _tables() -> list:
    return [t for t in Base.metadata.sorted_tables if t.name != "alembic_version"]


def figures(session: Session) -> LedgerFigures:
    """The comparison figures of one ledger (read only)."""
    from app.services.journal.verify import verify

    result = verify(session)
    rows = {t.name: int(session.scalar(select(func.count()).select_from(t))) for t in _tables()}
    books = {b: int(v) for b, v in session.execute(
        select(Posting.book, func.sum(Posting.amount)).group_by(Posting.book).order_by(Posting.book))}
    digest = hashlib.sha256()
    last = ""
    n = 0
    for (no,) in session.execute(select(Receipt.receipt_no).order_by(Receipt.id)).yield_per(CHUNK):
        digest.update(no.encode("utf-8") + b"\n")
        last = no
        n += 1
    counters = {f"station:{code}": nxt for code, nxt in session.execute(
        select(Station.code, Station.next_receipt_no).order_by(Station.code))}
    counters.update({f"range:{rid}": nxt for rid, nxt in session.execute(
        select(ReceiptRange.id, ReceiptRange.next_number).order_by(ReceiptRange.id))})
    heads = {chain: [seq, h] for chain, seq, h in session.execute(
        select(AuditHead.chain, AuditHead.last_seq, AuditHead.last_hash).order_by(AuditHead.chain))}
    return LedgerFigures(result.ok, result.first_failure, rows, books, n, last, digest.hexdigest(), counters, heads)


def _head_revision(url: str) -> str:
    from alembic.script import ScriptDirectory

    from app.db.engine import alembic_config

    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


#: The hash of a chain head no event was linked to yet: the audit_head row migration 0001 seeds
#: (nothing else in a new database holds rows, apart from alembic_version).
UNLINKED_HASH = "0" * 64


def tables_with_rows(conn: Connection) -> list[str]:
    """Tables of the target that hold rows other than the migrations' seed (any table, ours or not)."""
    busy = []
    for name in sorted(inspect(conn).get_table_names()):
        if name == "alembic_version":
            continue
        if name == AuditHead.__tablename__:  # only its last_hash is read: the same column at every revision
            head = sql_table(name, column("last_hash"))
            if conn.execute(select(head.c.last_hash).where(head.c.last_hash != UNLINKED_HASH).limit(1)).first():
                busy.append(name)
            continue
        if conn.execute(select(literal_column("1")).select_from(sql_table(name)).limit(1)).first() is not None:
            busy.append(name)
    return busy


def _refuse_if_not_empty(conn: Connection) -> None:
    busy = tables_with_rows(conn)
    if busy:
        names = "、".join(busy[:6])
        where = f"{names} 等 {len(busy)} 张表中有记录" if len(busy) > 6 else f"表 {names} 中有记录"
        raise InvalidInput(f"目标数据库已有账本数据（{where}）：只能迁移到新建的空数据库。"
                           "本次未写入、未删除目标中的任何内容")


def _copy_table(src: Connection, dst: Connection, table, src_columns: set[str]) -> int:
    cols = [c for c in table.columns if c.name in src_columns]
    order = [c for c in table.primary_key.columns] or cols[:1]
    if table.name == AuditHead.__tablename__:
        return _copy_audit_head(src, dst, table, cols, order)
    copied = 0
    result = src.execution_options(yield_per=CHUNK).execute(select(*cols).order_by(*order))
    for chunk in result.mappings().partitions(CHUNK):
        dst.execute(table.insert(), [dict(r) for r in chunk])
        copied += len(chunk)
    return copied


def _copy_audit_head(src: Connection, dst: Connection, table, cols: list, order: list) -> int:
    """The chain head the migration seeded becomes the source's: updated in place, never deleted."""
    copied = 0
    for row in src.execute(select(*cols).order_by(*order)).mappings():
        found = dst.execute(select(table.c.id).where(table.c.id == row["id"])).first()
        if found is None:
            dst.execute(table.insert(), [dict(row)])
        else:
            dst.execute(update(table).where(table.c.id == row["id"]).values(**dict(row)))
        copied += 1
    return copied


def _reset_sequences(dst: Connection) -> None:
    """PostgreSQL: each table's id sequence continues after the highest copied id."""
    if dst.dialect.name != "postgresql":
        return
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or pk[0].name != "id":
            continue
        seq = dst.exec_driver_sql("SELECT pg_get_serial_sequence(%(t)s, 'id')", {"t": table.name}).scalar()
        if seq is None:
            continue
        top = dst.scalar(select(func.max(table.c.id)))
        if top is not None:
            dst.exec_driver_sql("SELECT setval(%(s)s, %(v)s, true)", {"s": seq, "v": int(top)})


def migrate(source: str, target: str) -> Migrated:
    if not source or not target:
        raise InvalidInput("请用 --from 指定源账本，用 --to 指定目标数据库")
    src_engine = make_engine(source, read_only=True)
    try:
        head = _head_revision(source)
        rev = current_revision(src_engine)
        if rev is None:
            raise InvalidInput(f"源账本不存在或不是收费台账本：{source}")
        if rev != head:
            raise InvalidInput(f"源账本版本 {rev} 与本程序版本 {head} 不一致：请先用本程序打开一次源账本"
                               f"（feedesk --db 源账本 init）完成升级后再迁移")
        with Session(src_engine) as s:
            before = figures(s)
        if not before.verify_ok:
            raise InvalidInput(f"源账本核验未通过（{before.first_failure}），请先处理后再迁移")

        dst_engine = make_engine(target)
        try:
            with dst_engine.connect() as dst:  # before the schema is touched: a used target gets nothing
                _refuse_if_not_empty(dst)
            upgrade(target)
            copied_rows = 0
            with src_engine.connect() as src, dst_engine.begin() as dst:
                _refuse_if_not_empty(dst)  # again, inside the copy's transaction
                src_cols = {t: {c["name"] for c in inspect(src).get_columns(t)}
                            for t in inspect(src).get_table_names()}
                for table in _tables():
                    if table.name not in src_cols:
                        continue
                    copied_rows += _copy_table(src, dst, table, src_cols[table.name])
                _reset_sequences(dst)
                with Session(bind=dst) as s:
                    after = figures(s)
                if not after.verify_ok:
                    raise MigrationFailed(f"目标账本核验未通过（{after.first_failure}），已撤销，目标未写入")
                diff = [k for k, v in before.comparable().items() if after.comparable()[k] != v]
                if diff:
                    raise MigrationFailed(f"迁移前后不一致（{'、'.join(diff)}），已撤销，目标未写入")
        finally:
            dst_engine.dispose()
    finally:
        src_engine.dispose()
    return Migrated(_safe(source), _safe(target), sum(1 for t in _tables() if t.name in src_cols), copied_rows,
                    before, after)


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    from app.db.engine import normalize_url

    return make_url(normalize_url(url)).render_as_string(hide_password=True)
