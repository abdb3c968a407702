import pytest
from pydantic import ValidationError

from site_builder.model.phone import is_mobile, is_phone
from site_builder.model.schema import Contact

MESSAGE = "电话号码格式不对：应为 11 位手机号，或带区号的座机号（如 023-63002289）"


@pytest.mark.parametrize(
    "number",
    [
        "13912345678",
        "19912345678",  # a prefix allocated after the old pattern was written is still a mobile
        "023-63002289",  # the project office
        "02363002289",
        "010-12345678",  # Beijing's two-digit area code
        "0571-87654321",
        "023-63002289-801",  # an extension after a hyphen
    ],
)
def test_numbers_a_unit_may_give(number: str) -> None:
    assert is_phone(number)


@pytest.mark.parametrize(
    "number",
    [
        "14012345678",  # 140 is no mobile prefix (the old pattern 1[3-9]\d{9} took it)
        "023-6300228",  # Chongqing's numbers have 8 digits after 023 (the old pattern took 7)
        "0571-8765432",  # and so have Hangzhou's
        "023-6300ABCD",  # phonenumbers would read the letters as keypad digits
        "+8613912345678",  # one written form per number: the national one
        "8613912345678",
        "1012345678",  # a fixed line without its area code's leading 0
        "023 6300 2289",
        "１３９１２３４５６７８",  # full-width digits
        "400-810-8888",  # a shared-cost number, neither a mobile nor a fixed line
        "95588",
        "6300001",
        "023-63002289-",
        "023-63002289-1234567",  # extensions have at most 6 digits
        "13912345678-801",  # a mobile has no extension
        "",
    ],
)
def test_numbers_refused(number: str) -> None:
    assert not is_phone(number)


@pytest.mark.parametrize(
    ("number", "mobile"),
    [("13800001234", True), ("18612345678", True), ("02363002289", False), ("138-0000-1234", False)],
)
def test_an_applicant_gives_a_mobile_as_its_11_digits(number: str, mobile: bool) -> None:
    assert is_mobile(number) is mobile


def test_a_contact_keeps_its_message_and_reads_an_unquoted_number() -> None:
    contact = {"name": "张示例", "email": "contact@example.com"}
    with pytest.raises(ValidationError, match=MESSAGE):
        Contact.model_validate(contact | {"phone": "14012345678"})
    assert Contact.model_validate(contact | {"phone": 13912345678}).phone == "13912345678"
