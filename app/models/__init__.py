"""The ledger's tables (SQLAlchemy 2.0 typed ORM). Only `app.services` writes them."""

from app.models.base import Base
from app.models.cashdesk import *  # noqa: F401,F403
from app.models.dunning import *  # noqa: F401,F403
from app.models.ledger import *  # noqa: F401,F403
from app.models.master import *  # noqa: F401,F403
from app.models.payer import *  # noqa: F401,F403
from app.models.reconcile import *  # noqa: F401,F403

__all__ = ["Base"]
