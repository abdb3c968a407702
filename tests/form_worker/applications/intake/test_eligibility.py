"""Who may take which position: status_problem and choice_problem with the day passed in."""

import datetime as dt

import pytest

from form_worker.applications.intake.eligibility import STATUSES, choice_problem, status_problem
from site_builder.model.catalogue import Catalogue
from site_builder.model.schema import Position
from site_builder.model.vocab import EDUCATION_LEVELS

YEAR = 2026
TODAY = dt.date(2026, 11, 27)


def month(text: str) -> dt.date:
    return dt.date.fromisoformat(text + "-01")


@pytest.mark.parametrize(
    ("status", "graduation", "today", "problem"),
    [
        ("应届毕业生", "2026-01", TODAY, None),
        ("应届毕业生", "2026-06", TODAY, None),
        ("应届毕业生", "2026-12", TODAY, None),
        ("应届毕业生", "2026-07", dt.date(2026, 3, 1), None),
        ("应届毕业生", "2025-12", TODAY, "应届毕业生的毕业时间应在 2026 年内"),
        ("应届毕业生", "2027-06", TODAY, "应届毕业生的毕业时间应在 2026 年内"),
        ("离校两年内未就业", "2024-01", TODAY, None),
        ("离校两年内未就业", "2025-06", TODAY, None),
        ("离校两年内未就业", "2026-06", TODAY, None),
        ("离校两年内未就业", "2026-11", TODAY, None),
        ("离校两年内未就业", "2023-12", TODAY, "离校两年内未就业，毕业时间应在 2024 年至今之间"),
        ("离校两年内未就业", "2026-12", TODAY, "离校两年内未就业，毕业时间应在 2024 年至今之间"),
        (
            "离校两年内未就业",
            "2026-07",
            dt.date(2026, 6, 30),
            "离校两年内未就业，毕业时间应在 2024 年至今之间",
        ),
        (
            "离校两年内未就业",
            "2027-01",
            dt.date(2027, 2, 1),
            "离校两年内未就业，毕业时间应在 2024 年至今之间",
        ),
        ("在校生", "2026-12", TODAY, None),
        ("在校生", "2029-06", TODAY, None),
        ("在校生", "2026-11", TODAY, "在校生的预计毕业时间应晚于今天"),
        ("在校生", "2026-11", dt.date(2026, 11, 1), "在校生的预计毕业时间应晚于今天"),
        ("在校生", "2026-11", dt.date(2026, 10, 31), None),
        ("在校生", "2024-06", TODAY, "在校生的预计毕业时间应晚于今天"),
    ],
)
def test_status_problem(status, graduation, today, problem) -> None:
    assert status_problem(status, month(graduation), YEAR, today) == problem


def test_status_problem_follows_the_programme_year() -> None:
    assert status_problem("应届毕业生", month("2027-06"), 2027, dt.date(2027, 3, 1)) is None
    assert status_problem("应届毕业生", month("2026-06"), 2027, dt.date(2027, 3, 1)) == (
        "应届毕业生的毕业时间应在 2027 年内"
    )
    assert status_problem("离校两年内未就业", month("2025-01"), 2027, dt.date(2027, 3, 1)) is None
    assert status_problem("离校两年内未就业", month("2024-12"), 2027, dt.date(2027, 3, 1)) == (
        "离校两年内未就业，毕业时间应在 2025 年至今之间"
    )


def test_unknown_status_has_no_date_rule() -> None:
    assert status_problem("已就业", month("1999-01"), YEAR, TODAY) is None


@pytest.fixture(scope="module")
def position(sample_catalogue: Catalogue) -> Position:
    return sample_catalogue.positions[0].position


def make(position: Position, track: str, education: str) -> Position:
    return position.model_copy(update={"track": track, "education": education})


@pytest.mark.parametrize("status", ["应届毕业生", "离校两年内未就业"])
def test_internship_takes_graduates(position, status) -> None:
    assert choice_problem(make(position, "科技见习", "本科"), status, "本科") is None


def test_internship_refuses_students(position) -> None:
    assert choice_problem(make(position, "科技见习", "专科"), "在校生", "博士") == (
        "科技见习岗位面向应届毕业生和离校两年内未就业的毕业生，在校生可选择职业体验岗位"
    )


def test_experience_takes_students(position) -> None:
    assert choice_problem(make(position, "职业体验", "专科"), "在校生", "专科") is None


@pytest.mark.parametrize("status", ["应届毕业生", "离校两年内未就业"])
def test_experience_refuses_graduates(position, status) -> None:
    assert (
        choice_problem(make(position, "职业体验", "专科"), status, "博士") == "职业体验岗位只面向在校大学生"
    )


@pytest.mark.parametrize("track", ["科技见习", "职业体验"])
@pytest.mark.parametrize("required", list(EDUCATION_LEVELS))
@pytest.mark.parametrize("degree", list(EDUCATION_LEVELS))
def test_minimum_education(position, track, required, degree) -> None:
    status = "在校生" if track == "职业体验" else "应届毕业生"
    levels = list(EDUCATION_LEVELS)
    expected = None if levels.index(degree) >= levels.index(required) else f"该岗位要求{required}及以上学历"
    assert choice_problem(make(position, track, required), status, degree) == expected


def test_track_rule_comes_before_the_education_rule(position) -> None:
    assert (
        choice_problem(make(position, "职业体验", "博士"), "应届毕业生", "专科")
        == "职业体验岗位只面向在校大学生"
    )


def test_statuses_are_the_notices_three() -> None:
    assert STATUSES == ("应届毕业生", "离校两年内未就业", "在校生")
