"""Property tests: whatever a client posts to a form, the answer is one of our Chinese pages, never a 5xx.

The app is built once per test on SQLite (the `backend` fixture below replaces the two-backend one);
the properties are about the forms, not the storage.
"""

import operator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.form_worker.conftest import OPEN_POSITION, answers_for, csrf_token
from tests.helpers.apply_form import CLOSED, EXPERIENCE

APPLY_FIELDS = """choice1 choice2 choice3 name phone email university major degree graduation current_status
society_post society_post_detail volunteering volunteering_detail priority_consent priority_groups statement
privacy website""".split()
STATUS_FIELDS = ["reference", "contact"]
PLAUSIBLE = st.sampled_from(
    [
        *("", "y", "false", "../../etc/passwd", "<script>alert(1)</script>", "\x00", "\r\n"),
        *(OPEN_POSITION, EXPERIENCE, CLOSED),
        *"2026-06 2026-13 0001-01 9999-12 在校生 应届毕业生 离校两年内未就业 本科 博士".split(),
        *("低保家庭", "13800001234", "chen@example.com", "JX2026-000001", "jx2026-000001 "),
    ]
)
# Any text but lone surrogates (which no client can encode): control characters, NUL, every plane.
TEXT = st.text(max_size=60)
LONG = st.builds(
    operator.mul, st.characters(exclude_categories=["Cs"]), st.integers(min_value=1_000, max_value=20_000)
)
VALUE = st.one_of(PLAUSIBLE, TEXT, LONG)
VALUES = st.one_of(VALUE, st.lists(VALUE, max_size=4))
FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def posts(fields: list[str], start: dict[str, str]) -> st.SearchStrategy[dict[str, object]]:
    """Form bodies: random values under the form's own names and random ones, from nothing or valid."""
    keys = st.one_of(st.sampled_from(fields), TEXT)
    changes = st.dictionaries(keys, VALUES, max_size=12)
    return st.tuples(st.booleans(), changes).map(lambda pair: (start if pair[0] else {}) | pair[1])


@pytest.fixture
def backend(tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'jianxi.sqlite3'}",
        "HUEY_URL": f"sqlite:///{tmp_path / 'huey.sqlite3'}",
    }


def assert_our_page(response) -> None:
    event(f"status {response.status_code}")
    assert response.status_code < 500, response.text
    if response.status_code not in (302, 303):
        assert '<html lang="zh-CN">' in response.text, response.text[:500]


@pytest.mark.parametrize("step", ["review", "edit", "confirm"])
@FUZZ
@given(body=posts(APPLY_FIELDS, answers_for()))
def test_apply_never_fails(client, step, body) -> None:
    token = csrf_token(client.get("/apply").text)
    assert_our_page(client.post("/apply", data=body | {"step": step, "csrf_token": token}))


@FUZZ
@given(body=posts([*APPLY_FIELDS, "step"], answers_for()))
def test_apply_with_a_random_step_never_fails(client, body) -> None:
    token = csrf_token(client.get("/apply").text)
    assert_our_page(client.post("/apply", data=body | {"csrf_token": token}))


@FUZZ
@given(body=posts(STATUS_FIELDS, {"reference": "JX2026-000001", "contact": "13800001234"}))
def test_status_never_fails(client, body) -> None:
    token = csrf_token(client.get("/status").text)
    assert_our_page(client.post("/status", data=body | {"csrf_token": token}))


@FUZZ
@given(position=st.one_of(PLAUSIBLE, TEXT))
def test_apply_link_never_fails(client, position) -> None:
    assert_our_page(client.get("/apply", query_string={"position": position}))
