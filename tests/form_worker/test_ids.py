"""Every id on a worker page is unique: a label or an error-summary link finds its one control
(HTML CodeSniffer's F77; a duplicate `statement` id left 个人陈述's label focusing nothing)."""

import pytest

from tests.form_worker.conftest import csrf_token
from tests.helpers.ids import duplicates
from tests.helpers.parties import make_parties, party


@pytest.mark.parametrize("path", ["/apply", "/submit", "/status", "/staff/login"])
def test_public_pages_have_unique_ids(client, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert duplicates(page.text) == []
    token = csrf_token(page.text)
    answered = client.post(path, data={"csrf_token": token})  # every error shown at once
    assert duplicates(answered.text) == []


def test_the_parties_pages_have_unique_ids(app, session) -> None:
    make_parties(app, session)
    pages = {
        "reviewer": [
            "/staff/",
            "/staff/applications",
            "/staff/filing",
            "/staff/placements",
            "/staff/exports",
        ],
        "admin": ["/staff/accounts", "/staff/audit"],
        "cqu": ["/staff/university/"],
        "unit_a": ["/staff/unit/", "/staff/unit/placements"],
    }
    for role, paths in pages.items():
        client = party(app, role)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert duplicates(response.text) == [], path
