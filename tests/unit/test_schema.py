"""The models and the migrations describe the same schema (autogenerate finds nothing to do)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.db.engine import make_engine, upgrade
from app.models import Base


def test_migrations_at_head_match_the_models(tmp_path):
    path = str(tmp_path / "schema.db")
    upgrade(path)
    engine = make_engine(path)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
