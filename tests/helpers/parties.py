"""The programme's parties, one staff account each, and a client logged in as one of them."""

from form_worker.accounts.models import Account
from form_worker.accounts.services import create_account
from tests.form_worker.conftest import OPEN_POSITION, PASSWORD, StaffClient

OTHER_POSITION = "shili-science-museum/exhibit-guide-assistant"  # another unit's


def make_parties(app, session) -> None:
    """The office, two universities, two units and two districts, one account each (all with PASSWORD).

    In the app's context, so the accounts' hashes use its PASSWORD_HASH_METHOD.
    """
    with app.app_context():
        create_account(session, "admin", "管理员甲", PASSWORD, "admin", "admin@jianxi.test")
        create_account(session, "reviewer", "审核员乙", PASSWORD, "reviewer", "reviewer@jianxi.test")
        create_account(
            session, "cqu", "重大老师", PASSWORD, "university", "cqu@example.edu.cn", university="重庆大学"
        )
        create_account(
            session, "swu", "西大老师", PASSWORD, "university", "swu@example.edu.cn", university="西南大学"
        )
        unit_a, unit_b = OPEN_POSITION.split("/")[0], OTHER_POSITION.split("/")[0]
        create_account(session, "unit_a", "学会联系人", PASSWORD, "unit", "a@unit.example.com", unit=unit_a)
        create_account(session, "unit_b", "科技馆联系人", PASSWORD, "unit", "b@unit.example.com", unit=unit_b)
        # Unit A's district's HR bureau, and unit B's district's 科协.
        create_account(
            session,
            "yuzhong_hr",
            "渝中人社",
            PASSWORD,
            "district_hr",
            "hr@yuzhong.example.gov.cn",
            district="渝中区",
        )
        create_account(
            session,
            "nanan_cast",
            "南岸科协",
            PASSWORD,
            "district_cast",
            "kx@nanan.example.org.cn",
            district="南岸区",
        )


def party(app, username: str) -> StaffClient:
    client = StaffClient(app.test_client())
    response = client.login(username)
    assert response.status_code == 302, response.text
    return client


def make_account(app, session, *args, **kwargs) -> Account:
    """create_account in the app's context, so the account's hash uses its PASSWORD_HASH_METHOD."""
    with app.app_context():
        return create_account(session, *args, **kwargs)
