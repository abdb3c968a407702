"""People and placements of past programme years, as retention finds them."""

import datetime as dt
import itertools

from sqlalchemy import update

from form_worker.applications.models import (
    AllowancePayment,
    Application,
    Attendance,
    Evaluation,
    PerformanceNote,
    Placement,
    Transition,
    WorkTask,
)
from form_worker.outbox.models import Outbox
from tests.form_worker.conftest import OPEN_POSITION, recorded_application

SERIAL = itertools.count(1)


def person(
    app, session, *, year: int | None, state: str, created_at: dt.datetime | None = None
) -> Application:
    """An application by a person of their own (own phone, email and name), in `state` of `year`,
    its receipt sent, one staff note in its history."""
    n = next(SERIAL)
    received = recorded_application(
        app,
        session,
        name=f"林测{n}",
        phone=f"1390000{n:04d}",
        email=f"lin{n}@example.com",
        statement=f"我家住在渝中区，电话 1390000{n:04d}",
        society_post=True,
        society_post_detail="学生科协主席",
        volunteering=True,
        volunteering_detail="科技馆志愿讲解",
        priority_consent=True,
        priority_groups=["低保家庭"],
    )
    values: dict[str, object] = {"programme_year": year, "state": state}
    if created_at is not None:
        values["created_at"] = created_at
    session.execute(update(Application).where(Application.id == received.id).values(**values))
    session.execute(
        update(Outbox)
        .where(Outbox.key == f"received:{received.id}")
        .values(status="sent", sent_at=dt.datetime(2024, 3, 1))
    )
    session.add(
        Transition(
            application_id=received.id,
            to_state=state,
            actor="reviewer",
            reason=f"林测{n}本人来电说明家中情况",
        )
    )
    session.commit()
    return session.get(Application, received.id)


def placement(
    session,
    application: Application,
    *,
    end: dt.date,
    signed: bool = True,
    finished_on: dt.date | None = None,
) -> Placement:
    """A placement (signed or only offered) with a full work file: numbers and free text."""
    start = dt.date(end.year, 1, 1)
    row = Placement(
        application_id=application.id,
        position_id=OPEN_POSITION,
        mentor="张导师",
        ended=True,
        agreement_date=start if signed else None,
        start_date=start if signed else None,
        end_date=end if signed else None,
        allowance=2000 if signed else None,
        insurer="某保险公司" if signed else None,
        policy_number="P-20200001" if signed else None,
        finished_on=finished_on,
        early_end_reason="本人生病住院" if finished_on else None,
        typical_case=True,
        case_story="林同学在科普活动中表现突出",
    )
    session.add(row)
    session.flush()
    month = dt.date(end.year, end.month, 1)
    session.add_all(
        [
            Attendance(
                placement_id=row.id,
                month=month,
                expected=22,
                present=20,
                sick_leave=2,
                note="病假两天，已就医",
                updated_by="unit",
            ),
            WorkTask(
                placement_id=row.id,
                title="整理会议资料",
                start_date=start,
                end_date=end,
                delivered="会议纪要三份",
                status="done",
                percent=100,
                updated_by="unit",
            ),
            PerformanceNote(placement_id=row.id, day=start, text="沟通能力强，家住渝中", author="unit"),
            AllowancePayment(placement_id=row.id, month=month, amount=2000, paid_on=end, updated_by="unit"),
            Evaluation(
                placement_id=row.id,
                scores={"态度": 5, "能力": 4},
                comment="优秀，推荐留用",
                grade="优秀",
                author="unit",
            ),
        ]
    )
    session.commit()
    return row
