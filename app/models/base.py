"""Declarative base and the shared column shapes (`Annotated` aliases).

Tables only live in `app.models`; nothing here imports the rest of the app.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

from sqlalchemy import BigInteger, DateTime, Enum, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Integer fen; BigInteger so a year of a hospital hall never overflows on PostgreSQL.
Fen = Annotated[int, mapped_column(BigInteger)]
IntPK = Annotated[int, mapped_column(Integer, primary_key=True)]
Code = Annotated[str, mapped_column(String(40))]
Name = Annotated[str, mapped_column(String(120))]
Note = Annotated[str, mapped_column(Text, default="")]
# Times are stored in UTC; the business date is derived with the day cut-off at write time.
UtcTime = Annotated[dt.datetime, mapped_column(DateTime(timezone=False))]


def enum_column(enum_cls: type[enum.Enum]):
    """Enums are stored by value as plain strings (no native PG enum: migrations stay simple)."""
    return mapped_column(
        Enum(enum_cls, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e],
             validate_strings=True)
    )


#: connection.info key of the running transaction's seal state (set by `services.sealing`).
TXN_STATE = "feedesk_txn"


def _txn_default(context) -> int | None:
    """The id of the transaction writing this row; notes the table as written (for the seal).

    A Python-side default, so ORM flushes and Core inserts (executemany too) both apply it.
    Outside a FeeDesk session transaction it is NULL, which `verify` names as a forged row.
    """
    state = context.connection.info.get(TXN_STATE)
    if state is None or not state.open:
        return None
    state.tables.add(context.current_column.table.name)
    return state.txn


#: The transaction that wrote a financial row; its audit event seals the rows of that txn.
Txn = Annotated[int | None, mapped_column(BigInteger, default=_txn_default, index=True)]
