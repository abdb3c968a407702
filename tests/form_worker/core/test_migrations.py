"""The Alembic migrations build exactly the tables the models declare, on every backend."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from form_worker.core import db
from form_worker.metadata import metadata


@pytest.mark.backend
def test_the_models_match_the_migrations(empty_backend: dict[str, str]) -> None:
    """Autogenerate finds nothing to do after `jianxi db upgrade`: no model change lacks a migration."""
    db.upgrade(empty_backend["DATABASE_URL"])
    engine = create_engine(empty_backend["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"render_as_batch": True})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_every_table_is_in_the_metadata() -> None:
    assert sorted(metadata.tables) == [
        "allowance_payment",
        "application",
        "attendance",
        "audit_entry",
        "catalogue_build",
        "choice",
        "claim",
        "data_version",
        "evaluation",
        "filing_batch",
        "final_report",
        "forge_sync",
        "intern_rating",
        "interview_slot",
        "log_entry",
        "outbox",
        "performance_note",
        "placement",
        "position_feedback",
        "showcase_figures",
        "staff_user",
        "submission",
        "submission_draft",
        "submission_event",
        "throttle",
        "training_plan",
        "transition",
        "unit_confirmation",
        "work_task",
    ]
