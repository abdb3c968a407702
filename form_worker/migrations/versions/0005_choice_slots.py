"""slot claims: at most three open choices per person across applications

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 15:00:00

Each open application's choices, oldest application first, take slot claims for its phone and its
email until a contact holds three; a person who sent two forms of three before keeps both, and may
add no more until choices close.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CLOSED = ("completed", "withdrawn", "rejected")


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT a.id, a.phone, a.email FROM application a JOIN choice c ON c.application_id = a.id"
            " WHERE a.state NOT IN :closed ORDER BY a.id, c.rank"
        ).bindparams(sa.bindparam("closed", expanding=True)),
        {"closed": list(CLOSED)},
    ).all()
    held: dict[str, int] = {}
    claims = []
    for application_id, phone, email in rows:
        contacts = (phone, email.lower())
        slot = max(held.get(contact, 0) for contact in contacts) + 1
        if slot > 3:
            continue
        for contact in contacts:
            held[contact] = slot
            claims.append(
                {"position_id": f"slot:{slot}", "contact": contact, "application_id": application_id}
            )
    if claims:
        connection.execute(
            sa.text(
                "INSERT INTO claim (position_id, contact, application_id)"
                " VALUES (:position_id, :contact, :application_id)"
            ),
            claims,
        )


def downgrade() -> None:
    op.execute("DELETE FROM claim WHERE position_id LIKE 'slot:%'")
