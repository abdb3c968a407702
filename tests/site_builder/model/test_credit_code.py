import pytest

from site_builder.model.credit_code import check_character, credit_code_problem


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341L",  # the example the design brief checked by hand
        "91500000MA5U0XXX1" + check_character("91500000MA5U0XXX1"),
        "Y1500103MA5U0AB1C" + check_character("Y1500103MA5U0AB1C"),  # starts with a letter
    ],
)
def test_valid_codes(code: str) -> None:
    assert credit_code_problem(code) is None


def test_check_character_of_known_code() -> None:
    assert check_character("91110000600037341") == "L"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91110000600037341X", "最后一位应为 L"),
        ("9111000060003734", "应为 18 位"),
        ("91110000600O37341L", "不允许的字符：O"),
        ("91110000600037341l", "不允许的字符：l"),
    ],
)
def test_invalid_codes_say_why(code: str, fragment: str) -> None:
    problem = credit_code_problem(code)
    assert problem is not None and fragment in problem
