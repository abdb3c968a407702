"""Alembic environment: the URL comes from the caller (`jianxi db upgrade`), never from a file."""

from alembic import context

from form_worker.core.db import make_engine
from form_worker.metadata import metadata

url = context.config.attributes.get("url")
# A check for the one caller, which also narrows the type for mypy.
assert isinstance(url, str), "run Alembic through `jianxi db`, which passes the database URL"  # nosec B101
engine = make_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
