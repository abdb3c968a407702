"""The unified social credit code (统一社会信用代码) check of GB 32100-2015, with Chinese messages.

The check character comes from python-stdnum (`stdnum.cn.uscc`). Its own `validate` is not used:
it upper-cases what it is given (a clerk's lower-case letter would pass unnoticed) and refuses
codes that start with a letter, which real registering authorities issue.
"""

from stdnum.cn import uscc

# The code's characters: digits and the capital letters but I, O, S, V and Z.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def check_character(first17: str) -> str:
    """Return the check character that completes the first 17 characters of a code."""
    return uscc.calc_check_digit(first17)


def credit_code_problem(code: str) -> str | None:
    """Say in Chinese what is wrong with a code, or None when it is valid.

    Real codes may start with a letter (the registering authority's code), so only the alphabet,
    the length and the check character are enforced.
    """
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，这里是 {len(code)} 位"
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return "统一社会信用代码含有不允许的字符：" + "、".join(bad) + "（不使用 I、O、S、V、Z 和小写字母）"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位不正确：最后一位应为 {expected}，请核对是否抄错"
    return None
