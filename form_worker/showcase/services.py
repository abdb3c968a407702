"""Typical cases on their way to the public 成果展示 page (issue 23): the office's list, its approval of
the text a case publishes (lightly edited), its withdrawal, and the files the publishing task writes.

A case is published only while all of these hold: the unit marked it typical, the intern agreed
(workfile.consent) and has not changed the answer since the office approved it, the office's
approval stands, the intern still holds the placement (signed, on site or completed) and their
data was not erased (retention clears the case). The file names the intern only as the consent
allows; nothing else personal goes into it.
"""

import datetime as dt
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from site_builder.model.messages import chinese_message
from site_builder.model.showcase import ShowcaseCase, case_path, case_yaml

from ..applications.models import Application, Placement
from ..applications.workfile import consent
from ..applications.workfile.rules import Refused, audit_entry
from ..catalogue.positions import Positions

# Where an intern still stands behind the case (as the summary evaluation counts them).
HELD = ("agreement_signed", "active", "completed")
STATES = {
    "unanswered": "待本人答复",
    "declined": "本人不同意公开",
    "pending": "待审核",
    "changed": "本人已更改选择，待重新审核",
    "approved": "已批准公开",
}
TITLE_MAX = 40


def state_of(placement: Placement) -> str:
    """Where the case stands on its way to the page (a key of STATES)."""
    if placement.case_consent is None:
        return "unanswered"
    if placement.case_consent not in consent.PUBLISHING:
        return "declined"
    if placement.case_approved_at is None:
        return "pending"
    if placement.case_consent_at is not None and placement.case_consent_at > placement.case_approved_at:
        return "changed"
    return "approved"


@dataclass(frozen=True)
class Case:
    """A typical case as the office's list shows it."""

    placement: Placement
    application: Application
    unit: str
    position: str
    position_type: str
    state: str

    @property
    def byline(self) -> str | None:
        return consent.byline(self.application.name, self.placement.case_consent)


def _case(positions: Positions, placement: Placement, application: Application) -> Case:
    entry = positions.by_id.get(placement.position_id)
    unit = positions.unit_of(entry).name if entry is not None else ""
    title, kind = (
        (entry.position.title, entry.position.type) if entry is not None else (placement.position_id, "")
    )
    return Case(placement, application, unit, title, kind, state_of(placement))


def _typical(*where):  # type: ignore[no-untyped-def]
    return (
        select(Placement, Application)
        .join(Application, Application.id == Placement.application_id)
        .where(Placement.typical_case.is_(True), Application.anonymised_at.is_(None), *where)
        .order_by(Placement.position_id, Placement.id)
    )


def cases(session: Session, positions: Positions, year: int) -> list[Case]:
    """The year's typical cases, every state, in position order."""
    rows = session.execute(_typical(Application.programme_year == year)).all()
    return [_case(positions, placement, application) for placement, application in rows]


def case_of(session: Session, positions: Positions, placement_id: int) -> Case | None:
    """One typical case, or None when the placement is none (or its data was erased)."""
    row = session.execute(_typical(Placement.id == placement_id)).first()
    return _case(positions, *row) if row is not None else None


def draft(case: Case) -> ShowcaseCase | None:
    """The case as it would be published now: the approved text, else the unit's story."""
    if not case.position_type:
        return None
    try:
        return ShowcaseCase(
            title=case.placement.case_title or case.position,
            year=case.application.programme_year or 0,
            unit=case.unit,
            position_type=case.position_type,
            intern=case.byline,
            story=case.placement.case_text or case.placement.case_story,
        )
    except ValidationError:
        return None


def approve(session: Session, case: Case, title: str, story: str, actor: str, now: dt.datetime) -> None:
    """The office approves the case for the page with the text it read (lightly edited)."""
    if case.state not in ("pending", "changed", "approved"):
        raise Refused({"title": "本人同意公开后才能批准"})
    if not case.position_type:
        raise Refused({"title": "岗位已不在岗位目录中，无法公开"})
    title, story = " ".join(title.split()), story.strip()
    if len(title) > TITLE_MAX:
        raise Refused({"title": f"标题最多 {TITLE_MAX} 个字"})
    named = names_unconsented(case, title, story)
    if named:
        raise Refused(named)
    year = case.application.programme_year or 0
    try:
        ShowcaseCase(title=title, year=year, unit=case.unit, position_type=case.position_type, story=story)
    except ValidationError as error:
        wrong = {
            str(e["loc"][0]): chinese_message(e) for e in error.errors() if e["loc"][0] in ("title", "story")
        }
        raise Refused(wrong or {"story": "内容不符合要求"}) from None
    placement = case.placement
    placement.case_title, placement.case_text, placement.case_approved_at = title, story, now
    audit_entry(session, actor, "showcase_approved", placement, consent=placement.case_consent)


def names_unconsented(case: Case, title: str, story: str) -> dict[str, str]:
    """Where the text names the intern although they agreed only to a surname or no name (a name
    of two characters or more, as typed on /apply)."""
    name = case.application.name.strip()
    if len(name) < 2 or case.placement.case_consent == "named":
        return {}
    instead = f"改称“{case.byline}”" if case.byline else "不写姓名"
    message = f"写了见习学生的姓名“{name}”，但本人没有同意署全名：请删去姓名或{instead}"
    return {field: message for field, text in (("title", title), ("story", story)) if name in text}


def withdraw(session: Session, case: Case, actor: str) -> bool:
    """The office takes the case off the page; returns whether it was approved."""
    if case.placement.case_approved_at is None:
        return False
    case.placement.case_approved_at = None
    audit_entry(session, actor, "showcase_withdrawn", case.placement)
    return True


def case_files(session: Session, positions: Positions) -> dict[str, str]:
    """Every case to be on the page now, as its file (path -> YAML): approved, agreed since, held."""
    rows = session.execute(
        _typical(
            Application.state.in_(HELD),
            Placement.case_consent.in_(consent.PUBLISHING),
            Placement.case_approved_at.is_not(None),
        )
    ).all()
    files = {}
    for placement, application in rows:
        case = _case(positions, placement, application)
        published = draft(case) if case.state == "approved" else None
        # The approval checked the text; checked again, so no later change of consent publishes a name.
        if published is not None and not names_unconsented(case, published.title, published.story):
            files[case_path(published.year, placement.id)] = case_yaml(published)
    return files
