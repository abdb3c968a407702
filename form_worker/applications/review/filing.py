"""National filing (报全国项目管理室备案): the office exports the approved applications in one fixed
layout and marks them `filed` in the same action, recorded as a batch.

The national system's exact format is not known to us, so the layout is one table here:
`FILING_COLUMNS`, each a header and how to read it from an application. Changing the national
format means editing this table. The batch keeps the file itself and its SHA-256, so downloading a
batch again gives the same bytes, and exporting again files nothing twice: rows are claimed by
the conditional UPDATE of services.bulk_move, and a second export finds none left.
"""

import datetime as dt
import hashlib
import io
import itertools
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...accounts import audit
from ...catalogue.positions import Positions
from ...core.downloads import Cell, write_xlsx
from .. import services
from ..models import Application, Choice, FilingBatch
from ..tables import position_label


@dataclass(frozen=True)
class Filed:
    """What the file reads of one filed application: its columns, and its choices by rank."""

    reference: str
    name: str
    university: str
    major: str
    degree: str
    graduation: dt.date
    current_status: str
    phone: str
    email: str
    choices: dict[int, str]


Column = tuple[str, Callable[[Filed, Positions], Cell]]
# Applications read at a time from the database while the file is written.
CHUNK = 1000


def _choice(rank: int) -> Callable[[Filed, Positions], Cell]:
    def read(application: Filed, positions: Positions) -> Cell:
        found = application.choices.get(rank)
        return position_label(positions, found) if found else ""

    return read


# The national report's columns, in order. Never the priority-group answers.
FILING_COLUMNS: list[Column] = [
    ("序号", lambda a, p: None),  # numbered when written
    ("报名编号", lambda a, p: a.reference),
    ("姓名", lambda a, p: a.name),
    ("毕业（就读）学校", lambda a, p: a.university),
    ("专业", lambda a, p: a.major),
    ("学历", lambda a, p: a.degree),
    ("毕业时间", lambda a, p: a.graduation.strftime("%Y-%m")),
    ("目前状态", lambda a, p: a.current_status),
    ("手机号", lambda a, p: a.phone),
    ("电子邮箱", lambda a, p: a.email),
    ("第一意向岗位", _choice(1)),
    ("第二意向岗位", _choice(2)),
    ("第三意向岗位", _choice(3)),
]
SHEET_TITLE = "全国备案名单"
# What identifies a person in the file: blanked when they are erased (the reference, the choices and
# the row stay, so the batch still counts them).
PERSONAL_COLUMNS = ("姓名", "毕业（就读）学校", "专业", "毕业时间", "目前状态", "手机号", "电子邮箱")
ERASED = "（已删除）"


def waiting(session: Session) -> int:
    """Approved applications not yet filed."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Application)
            .where(Application.state == "approved_by_city_office")
        )
        or 0
    )


def export(session: Session, actor: str, positions: Positions, mail_from: str) -> FilingBatch | None:
    """File every approved application as one batch and keep its spreadsheet; None when no row is
    waiting. The caller commits (the batch, the moves, their emails and audit entries at once)."""
    batch = FilingBatch(actor=actor, count=0, sha256="", content=b"")
    session.add(batch)
    session.flush()
    ids = list(session.scalars(select(Application.id).where(Application.state == "approved_by_city_office")))
    moved = services.bulk_move(
        session,
        ids,
        "approved_by_city_office",
        "filed",
        actor,
        f"全国备案批次 {batch.id}",
        mail_from,
        values={"filing_batch_id": batch.id},
    )
    if not moved:
        session.rollback()
        return None
    rows = [
        [number, *(read(application, positions) for _, read in FILING_COLUMNS[1:])]
        for number, application in enumerate(filed_in(session, batch.id), start=1)
    ]
    content = write_xlsx([(SHEET_TITLE, [header for header, _ in FILING_COLUMNS], rows)])
    batch.count, batch.content = len(rows), content
    batch.sha256 = hashlib.sha256(content).hexdigest()
    audit.record(session, actor, "filing_export", f"batch {batch.id}", count=batch.count, sha256=batch.sha256)
    return batch


def filed_in(session: Session, batch_id: int) -> Iterator[Filed]:
    """The batch's applications in id order with their choices: one statement, its rows fetched
    CHUNK applications at a time, no ORM object per application."""
    fields = [getattr(Application, name) for name in Filed.__dataclass_fields__ if name != "choices"]
    query = (
        select(Application.id, *fields, Choice.rank, Choice.position_id)
        .outerjoin(Choice, Choice.application_id == Application.id)
        .where(Application.filing_batch_id == batch_id)
        .order_by(Application.id, Choice.rank)
        .execution_options(yield_per=3 * CHUNK)  # at most three choices each
    )
    for _, found in itertools.groupby(session.execute(query), key=lambda row: row.id):
        rows = list(found)
        values = {field.key: getattr(rows[0], field.key) for field in fields}
        yield Filed(**values, choices={r.rank: r.position_id for r in rows if r.rank is not None})


def strike(batch: FilingBatch, references: Collection[str]) -> int:
    """Erase these applications' people from the batch's kept file: their personal cells read
    （已删除）, the file's hash follows, the batch counts them; return how many rows changed.

    The file is a copy of what the applications held: an erasure that left it would leave the
    person downloadable (issue 21)."""
    if not batch.content:  # emptied already: everyone in it was anonymised (retention)
        return 0
    book = load_workbook(io.BytesIO(batch.content))
    sheet = book[SHEET_TITLE]
    header = [cell.value for cell in sheet[1]]
    reference = header.index("报名编号")
    personal = [header.index(name) for name in PERSONAL_COLUMNS]
    struck = 0
    for row in sheet.iter_rows(min_row=2):
        if row[reference].value in references and row[personal[0]].value != ERASED:
            for column in personal:
                row[column].value = ERASED
            struck += 1
    if struck:
        buffer = io.BytesIO()
        book.save(buffer)
        batch.content = buffer.getvalue()
        batch.sha256 = hashlib.sha256(batch.content).hexdigest()
        batch.erased = (batch.erased or 0) + struck
    return struck
