"""The neutral 同等条件下优先考虑 mark (issue 22): a university and a unit see it on a candidate only
when the applicant consented separately to its being shown, never which group applies, and each
showing is in the audit log; without that consent they see nothing, as before."""

import pytest
from sqlalchemy import select

from form_worker.accounts.models import AuditEntry
from form_worker.applications.models import Application
from tests.form_worker.conftest import StaffClient, answers_for, csrf_token
from tests.helpers.offers import filed
from tests.helpers.parties import make_parties, party

MARK = "同等条件下优先考虑"


def candidate_pages(app, application: Application) -> dict[str, str]:
    """The candidate's page as the student's university and as the position's unit see it."""
    choice = application.choices[0]
    return {
        "cqu": party(app, "cqu").get(f"/staff/university/{application.id}").text,
        "unit_a": party(app, "unit_a").get(f"/staff/unit/candidates/{choice.id}").text,
    }


def showings(session, reference: str) -> list[str]:
    query = select(AuditEntry.actor).where(
        AuditEntry.action == "view_priority_mark", AuditEntry.target == reference
    )
    return sorted(session.scalars(query))


@pytest.mark.parametrize("mark", [True, False], ids=["mark-consented", "groups-only"])
def test_selectors_see_the_mark_only_with_its_own_consent_and_never_the_group(app, session, mark) -> None:
    make_parties(app, session)
    application = filed(
        app,
        session,
        [],
        number=40,
        priority_consent=True,
        priority_groups=["零就业家庭"],
        priority_mark_consent=mark,
    )
    for username, page in candidate_pages(app, application).items():
        assert (MARK in page) is mark, username
        assert "零就业家庭" not in page and "敏感" not in page, username
    session.expire_all()
    assert showings(session, application.reference) == (["cqu", "unit_a"] if mark else [])


def test_the_mark_consent_alone_records_nothing_to_show(app, session) -> None:
    make_parties(app, session)
    without_groups = filed(app, session, [], number=41, priority_consent=True, priority_mark_consent=True)
    without_consent = filed(app, session, [], number=42, priority_groups=["残疾"], priority_mark_consent=True)
    for application in (without_groups, without_consent):
        assert not application.priority_mark_consent
        assert all(MARK not in page for page in candidate_pages(app, application).values())


def test_apply_asks_in_plain_words_and_keeps_the_mark_only_beside_a_group(client, session) -> None:
    page = client.get("/apply").text
    assert "不告诉具体是哪一种" in page and "什么也看不到" in page
    token = csrf_token(page)
    given = answers_for(priority_consent="y", priority_groups="低保家庭", priority_mark_consent="y")
    check = client.post("/apply", data=given | {"csrf_token": token}).text
    assert "同意让高校和设岗单位看到“同等条件下优先考虑”" in check
    client.post("/apply", data=given | {"step": "confirm", "csrf_token": token})
    application = session.scalar(select(Application).where(Application.email == "chen@example.com"))
    assert application.priority_mark_consent and application.priority_groups == ["低保家庭"]


def test_the_office_admin_still_sees_the_group_and_reviewers_neither(app, session) -> None:
    make_parties(app, session)
    application = filed(
        app,
        session,
        [],
        number=43,
        priority_consent=True,
        priority_groups=["特困人员"],
        priority_mark_consent=True,
    )
    admin: StaffClient = party(app, "admin")
    assert "特困人员" in admin.get(f"/staff/applications/{application.id}").text
    assert "特困人员" not in party(app, "reviewer").get(f"/staff/applications/{application.id}").text
