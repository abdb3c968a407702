"""The internship's length (issue 22): at most 12 months for every position; at least
MIN_INTERNSHIP_MONTHS (default 3) for 科技见习, whose interns are graduates; 职业体验 positions are
students' summer weeks and have no minimum. One rule for the position, the offer and the agreement."""

import datetime as dt

import pytest

from site_builder.model.schema import min_internship_months, period_problem

START = dt.date(2027, 7, 1)


def test_three_months_to_the_day_is_enough_one_day_less_is_not() -> None:
    assert period_problem(START, dt.date(2027, 9, 30), "科技见习") is None
    short = period_problem(START, dt.date(2027, 9, 29), "科技见习")
    assert short == "科技见习的见习期一般不少于 3 个月：从 2027-07-01 开始，至少到 2027-09-30"


def test_a_summer_experience_has_no_minimum_but_the_same_maximum() -> None:
    assert period_problem(START, dt.date(2027, 8, 15), "职业体验") is None
    assert period_problem(START, dt.date(2028, 7, 1), "职业体验") == (
        "见习期最长 12 个月：从 2027-07-01 开始，最晚到 2028-06-30"
    )


def test_twelve_months_to_the_day_is_the_longest() -> None:
    assert period_problem(START, dt.date(2028, 6, 30), "科技见习") is None
    assert period_problem(dt.date(2027, 1, 31), dt.date(2028, 1, 30), "科技见习") is None
    assert "最长 12 个月" in (period_problem(dt.date(2027, 1, 31), dt.date(2028, 1, 31), "科技见习") or "")


def test_the_minimum_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIN_INTERNSHIP_MONTHS", "6")
    assert min_internship_months() == 6
    assert "不少于 6 个月" in (period_problem(START, dt.date(2027, 12, 30), "科技见习") or "")
    assert period_problem(START, dt.date(2027, 12, 31), "科技见习") is None
    for wrong in ("0", "13", "三"):
        monkeypatch.setenv("MIN_INTERNSHIP_MONTHS", wrong)
        with pytest.raises(ValueError, match="MIN_INTERNSHIP_MONTHS"):
            min_internship_months()
