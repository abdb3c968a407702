import pytest
from stdnum.cn import uscc

from site_builder.model.credit_code import ALPHABET, check_character, credit_code_problem


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


@pytest.mark.parametrize("first17", ["91500000MA5U0XXX1", "12500000450000513", "51500000MJP123456"])
def test_the_check_character_is_python_stdnums(first17: str) -> None:
    """Codes that python-stdnum's own check accepts (8 leading digits, capitals) agree with ours."""
    code = first17 + check_character(first17)
    assert uscc.is_valid(code) and credit_code_problem(code) is None
    wrong = next(c for c in ALPHABET if c != code[17])
    assert not uscc.is_valid(code[:17] + wrong) and credit_code_problem(code[:17] + wrong) is not None


def test_stricter_than_stdnum_on_case_looser_on_the_first_character() -> None:
    """stdnum upper-cases what it checks and wants 8 leading digits; a clerk's lower-case letter is
    an error here, and a registering authority's letter (Y: other authorities) is not."""
    assert uscc.is_valid("91110000600037341l") and credit_code_problem("91110000600037341l") is not None
    lettered = "Y1500103MA5U0AB1C" + check_character("Y1500103MA5U0AB1C")
    assert not uscc.is_valid(lettered) and credit_code_problem(lettered) is None
