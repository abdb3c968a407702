"""National filing (报全国项目管理室备案): the office exports the approved applications in one fixed
layout and marks them `filed` in the same action, recorded as a batch.

The national system's exact format is not known to us, so the layout is one table here:
`FILING_COLUMNS`, each a header and how to read it from an application. Changing the national
format means editing this table. The batch keeps the file itself and its SHA-256, so downloading a
batch again gives the same bytes, and exporting again files nothing twice: rows are claimed by
the conditional UPDATE of services.bulk_move, and a second export finds none left.
"""

import hashlib
import io
from collections.abc import Callable, Collection

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ...accounts import audit
from ...catalogue.positions import Positions
from ...core.downloads import Cell, write_xlsx
from .. import services
from ..models import Application, FilingBatch
from ..tables import position_label

Column = tuple[str, Callable[[Application, Positions], Cell]]


def _choice(rank: int) -> Callable[[Application, Positions], Cell]:
    def read(application: Application, positions: Positions) -> Cell:
        found = [c for c in application.choices if c.rank == rank]
        return position_label(positions, found[0].position_id) if found else ""

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
    applications = list(
        session.scalars(
            select(Application)
            .options(selectinload(Application.choices))
            .where(Application.filing_batch_id == batch.id)
            .order_by(Application.id)
            .execution_options(populate_existing=True)
        )
    )
    rows = []
    for number, application in enumerate(applications, start=1):
        rows.append([number, *(read(application, positions) for _, read in FILING_COLUMNS[1:])])
    content = write_xlsx([(SHEET_TITLE, [header for header, _ in FILING_COLUMNS], rows)])
    batch.count, batch.content = len(rows), content
    batch.sha256 = hashlib.sha256(content).hexdigest()
    audit.record(session, actor, "filing_export", f"batch {batch.id}", count=batch.count, sha256=batch.sha256)
    return batch


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
