"""The ledger's tables (SQLAlchemy 2.0 typed ORM). Only `app.services` writes them."""

from app.models.base import Base
from app.models.billing import *  # noqa: F401,F403
from app.models.desk import *  # noqa: F401,F403
from app.models.dunning import *  # noqa: F401,F403
from app.models.journal import *  # noqa: F401,F403
from app.models.master import *  # noqa: F401,F403
from app.models.payer import *  # noqa: F401,F403
from app.models.printing import *  # noqa: F401,F403
from app.models.reconcile import *  # noqa: F401,F403

__all__ = ["Base"]
