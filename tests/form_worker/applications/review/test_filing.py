"""The national filing file (issue 24): read from the database a chunk at a time and written in
openpyxl's write-only mode, it holds what the file held before, cell for cell, on both backends."""

import pytest
from sqlalchemy import select, update

from form_worker.applications.models import Application, Choice, FilingBatch
from form_worker.applications.review import filing
from form_worker.applications.tables import position_label
from form_worker.core.downloads import table_workbook
from site_builder.spreadsheet import workbook_bytes
from tests.form_worker.conftest import recorded_application
from tests.helpers.parties import OTHER_POSITION
from tests.helpers.statistics import C, positions_of
from tests.helpers.workbooks import described

A = "shili-youth-scitech-society/academic-conference-assistant"


def the_file_as_it_was_written(session, positions, batch_id: int) -> bytes:
    """The file as the export wrote it before issue 24: ORM applications with their choices, each
    column's value read from them, then the workbook built cell by cell."""
    applications = session.scalars(
        select(Application).where(Application.filing_batch_id == batch_id).order_by(Application.id)
    ).all()
    rows = []
    for number, a in enumerate(applications, start=1):
        ranked = {c.rank: c.position_id for c in a.choices}
        choices = [position_label(positions, ranked[r]) if r in ranked else "" for r in (1, 2, 3)]
        graduation = a.graduation.strftime("%Y-%m")
        details = [a.university, a.major, a.degree, graduation, a.current_status, a.phone, a.email]
        rows.append([number, a.reference, a.name, *details, *choices])
    headers = [header for header, _ in filing.FILING_COLUMNS]
    return workbook_bytes(table_workbook([(filing.SHEET_TITLE, headers, rows)]))


@pytest.mark.backend
def test_the_filing_file_holds_what_it_held_before(app, session, monkeypatch) -> None:
    monkeypatch.setattr(filing, "CHUNK", 2)  # several chunks of five applications
    ids = [
        recorded_application(app, session, [A], phone="13900000001", email="a1@example.com").id,
        recorded_application(
            app, session, [C, A, OTHER_POSITION], phone="13900000002", email="a2@example.com", name="=1+2"
        ).id,
        recorded_application(
            app, session, [OTHER_POSITION, C], phone="13900000003", email="a3@example.com"
        ).id,
        recorded_application(
            app, session, [C], phone="13900000004", email="a4@example.com", major="@SUM(A1)"
        ).id,
        recorded_application(app, session, [A], phone="13900000005", email="a5@example.com").id,
    ]
    left_out = recorded_application(app, session, [A], phone="13900000006", email="a6@example.com").id
    session.execute(
        update(Application).where(Application.id.in_(ids)).values(state="approved_by_city_office")
    )
    # A choice of a position since gone from the catalogue reads as its id.
    session.execute(
        update(Choice).where(Choice.application_id == ids[2], Choice.rank == 2).values(position_id="gone/old")
    )
    session.commit()
    positions = positions_of(app)
    batch = filing.export(session, "reviewer", positions, app.config["MAIL_FROM"])
    session.commit()
    batch = session.get(FilingBatch, batch.id)
    assert batch.count == 5
    assert described(batch.content) == described(the_file_as_it_was_written(session, positions, batch.id))
    rows = described(batch.content)[0][3]
    assert [row[1][0] for row in rows[1:]] == [
        session.get(Application, i).reference for i in ids
    ] and left_out not in ids
    assert rows[2][2][:4] == ("=1+2", "s", "General", True)  # a name that looks like a formula stays text
    assert rows[3][11][0] == "gone/old"
