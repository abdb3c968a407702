"""A programme year's story of applications and placements, and the tables the reports make of it."""

import datetime as dt
import io
from html.parser import HTMLParser

from openpyxl import load_workbook

from form_worker.applications.models import Application, Choice, Evaluation, Placement, Transition
from form_worker.applications.states import CHAIN

YEAR = 2026


# Three positions of the sample catalogue, of three types, districts and unit categories.
A = "shili-youth-scitech-society/academic-conference-assistant"  # 学术助理, 渝中区, headcount 4


B = "shili-science-museum/exhibit-guide-assistant"  # 科普助理, 南岸区, headcount 5


C = "shili-biopharma/lab-experience"  # 科创助理 (职业体验), 巴南区, headcount 3


START = dt.date(2026, 7, 1)


END = dt.date(2026, 12, 31)


def upto(state: str, *then: str) -> list[str]:
    """The history of an application that went along the chain to state, then to `then`."""
    return [*CHAIN[: CHAIN.index(state) + 1], *then]


def add_application(
    session,
    number: int,
    history: list[str],
    university: str,
    degree: str,
    major_group: str | None,
    choices: list[str],
    year: int = YEAR,
    groups: list[str] | None = None,
    consent: bool = False,
) -> Application:
    application = Application(
        reference=f"JX{year}-{number:06d}",
        state=history[-1],
        name=f"见习生{number:02d}",
        phone=f"139000000{number:02d}",
        email=f"s{number}@example.com",
        university=university,
        major="某专业",
        major_group=major_group,
        degree=degree,
        graduation=dt.date(year, 6, 1),
        current_status="应届毕业生",
        programme_year=year,
        priority_consent=consent,
        priority_groups=groups,
    )
    application.choices = [Choice(rank=i, position_id=p) for i, p in enumerate(choices, start=1)]
    previous = None
    for state in history:
        application.transitions.append(Transition(from_state=previous, to_state=state, actor="test"))
        previous = state
    session.add(application)
    session.flush()
    return application


def add_placement(
    session,
    application: Application,
    position_id: str,
    agreement: bool = True,
    finished_on: dt.date | None = None,
    reason: str | None = None,
    grade: str | None = None,
    story: str = "",
    destination: str | None = None,
) -> Placement:
    placement = Placement(
        application_id=application.id,
        position_id=position_id,
        mentor="导师甲",
        ended=application.state in ("completed", "withdrawn", "rejected"),
        agreement_date=START if agreement else None,
        start_date=START if agreement else None,
        end_date=END if agreement else None,
        finished_on=finished_on,
        early_end_reason=reason,
        typical_case=bool(story),
        case_story=story,
        destination=destination,
        destination_by="单位" if destination else None,
    )
    session.add(placement)
    session.flush()
    if grade:
        session.add(
            Evaluation(placement_id=placement.id, scores={"attitude": 5}, grade=grade, author="导师甲")
        )
    return placement


STORY = "在学术会议筹备中独立完成了 300 人的会务统筹。"


def positions_of(app):
    return app.extensions["jianxi.positions"].get()


class Tables(HTMLParser):
    """Each <table id=…> of a page as rows of cell texts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id") or "", [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self._table[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data) -> None:
        if self._cell is not None:
            self._cell.append(data)


def workbook(response) -> dict[str, list[list[object]]]:
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data))
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in book.worksheets}
