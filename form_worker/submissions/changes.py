"""What an edit changes in a published unit, named as the 岗位征集表 names its fields.

Anyone who knows a unit's credit code (it is on the unit's public page) can send an edit, so the
contact on record hears of every edit with what it changes, and staff are warned when it would
move the contact email elsewhere.
"""

from dataclasses import dataclass
from typing import Any

from site_builder.model.schema import Unit
from site_builder.spreadsheet.columns import UNIT_COLUMNS, Column, value_at


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def _shown(column: Column, value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if column.labels:
        value = next((label for label, stored in column.labels.items() if stored == value), value)
    return str(value)


def unit_changes(published: Unit, submitted: Unit) -> list[Change]:
    """Every unit field whose value the submission changes, in the template's order."""
    old = published.model_dump(mode="json", exclude_none=True)
    new = submitted.model_dump(mode="json", exclude_none=True)
    return [
        Change(
            column.header,
            _shown(column, value_at(old, column.loc)),
            _shown(column, value_at(new, column.loc)),
        )
        for column in UNIT_COLUMNS
        if value_at(old, column.loc) != value_at(new, column.loc)
    ]


def contact_email_moves(published: Unit | None, submitted: Unit) -> bool:
    """Whether approving would send the unit's mail (and its resubmit links) to another address."""
    return published is not None and published.contact.email.lower() != submitted.contact.email.lower()
