"""lock-out for a growing time instead of for ever

Revision ID: 0007_lockout
Revises: 0007_reconciliation

Wrong passwords used to set `app_user.locked` for good, and nothing in the program cleared
it. From here on they set `locked_until` (a growing time, `auth.lock_minutes`); `locked`
stays for a lock set by hand. Users locked by the old rule are unlocked by this upgrade:
their failure count stays, so the next wrong passwords lock them again, for longer.
"""

import sqlalchemy as sa
from alembic import op

from app.db.migrations import pg_roles

revision = "0007_lockout"
down_revision = "0007_reconciliation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy: app_user is referenced by most tables' foreign keys).
    op.add_column("app_user", sa.Column("locked_until", sa.DateTime(timezone=False), nullable=True))
    op.execute(sa.text("UPDATE app_user SET locked = :no WHERE locked = :yes").bindparams(no=False, yes=True))
    pg_roles.apply(op)  # the window role's UPDATE grant is column by column


def downgrade() -> None:
    # The old rule had only the lock for ever: a user under a timed lock stays locked.
    op.execute(sa.text("UPDATE app_user SET locked = :yes WHERE locked_until IS NOT NULL").bindparams(yes=True))
    op.drop_column("app_user", "locked_until")  # SQLite 3.35+ drops a plain column in place
    pg_roles.apply(op)
