"""The reports' shared fixture: a programme year counted by hand (tests.helpers.statistics)."""

import datetime as dt

import pytest

from form_worker.applications.models import Application
from tests.helpers.statistics import END, STORY, A, B, C, add_application, add_placement, upto


@pytest.fixture
def figures(session) -> dict[str, Application]:
    """Eleven applications of 2026 and one of 2025, counted by hand in the tests below."""
    add = add_application
    apps = {
        "a1": add(
            session,
            1,
            upto("completed"),
            "重庆大学",
            "本科",
            "工学",
            [A, B],
            groups=["低保家庭"],
            consent=True,
        ),
        "a2": add(session, 2, upto("completed"), "重庆大学", "硕士", "理学", [A]),
        "a3": add(
            session,
            3,
            upto("active"),
            "西南大学",
            "本科",
            None,
            [B],
            groups=["低保家庭", "残疾"],
            consent=True,
        ),
        "a4": add(
            session,
            4,
            upto("agreement_signed"),
            "西南大学",
            "本科",
            "工学",
            [B, C],
            groups=["低保家庭"],
            consent=True,
        ),
        "a5": add(
            session,
            5,
            upto("active", "withdrawn"),
            "重庆大学",
            "本科",
            "工学",
            [C],
            groups=["低保家庭"],
            consent=True,
        ),
        "a6": add(
            session,
            6,
            upto("offered"),
            "重庆邮电大学",
            "专科",
            "文学",
            [C],
            groups=["低保家庭"],
            consent=True,
        ),
        "a7": add(
            session, 7, upto("filed"), "重庆大学", "本科", "工学", [A], groups=["零就业家庭"], consent=True
        ),
        "a8": add(
            session, 8, upto("checked", "rejected"), "西南大学", "博士", "理学", [B], groups=[], consent=True
        ),
        # Groups without consent must not count (as if the consent had been withdrawn).
        "a9": add(session, 9, upto("checked"), "重庆大学", "本科", "工学", [A], groups=["特困人员"]),
        "a10": add(session, 10, upto("submitted"), "重庆大学", "本科", "工学", [C]),
        # Recommended, then sent back to the university: it reached 高校遴选推荐 and is checked now.
        "a11": add(
            session, 11, upto("recommended_by_university", "checked"), "西南大学", "本科", "管理学", [A]
        ),
        "old": add(session, 12, upto("completed"), "重庆大学", "本科", "工学", [A], year=2025),
    }
    add_placement(session, apps["a1"], A, finished_on=END, grade="优秀", story=STORY, destination="kept")
    add_placement(
        session,
        apps["a2"],
        A,
        finished_on=dt.date(2026, 10, 15),
        reason="考取研究生",
        grade="良好",
        destination="study",
    )
    add_placement(session, apps["a3"], B)
    add_placement(session, apps["a4"], B)
    add_placement(session, apps["a5"], C)
    add_placement(session, apps["a6"], C, agreement=False)
    add_placement(session, apps["old"], A, finished_on=END, grade="合格", story="往年的案例")
    session.commit()
    return apps
