"""Chinese wording for pydantic's built-in errors; the clerk who reads them may not read English.

Errors raised by our own rules (PydanticCustomError) already carry Chinese text and pass through.
"""

import difflib
from collections.abc import Sequence

from pydantic_core import ErrorDetails

_TEMPLATES = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的字段，请检查拼写或删去",
    "string_type": "应填写文字",
    "string_too_long": "太长了，最多 {max_length} 个字",
    "int_type": "应填写整数",
    "int_parsing": "应填写整数（不要带单位、逗号或小数点）",
    "int_from_float": "应填写整数",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "too_long": "最多填写 {max_length} 项",
    "list_type": "应为列表，每项一行，以“- ”开头",
    "model_type": "应为一组“字段: 值”",
    "model_attributes_type": "应为一组“字段: 值”",
    "dict_type": "应为一组“字段: 值”",
    "bool_type": "应填写 true 或 false",
    "bool_parsing": "应填写 true 或 false",
    "value_error": "取值不正确",
}


def _choices(expected: str) -> str:
    return expected.replace("'", "").replace(" or ", "、").replace(", ", "、")


# A list longer than this (the 41 districts, the position types) is not recited when a close
# match can be suggested instead.
LONG_CHOICE = 8


def choice_message(options: Sequence[str], given: object) -> str:
    """A value outside `options`: the closest options when the list is long and some are close
    (渝中 → 渝中区), else every option."""
    if isinstance(given, str) and given.strip() and len(options) > LONG_CHOICE:
        close = difflib.get_close_matches(given.strip(), options, n=3, cutoff=0.5)
        if close:
            return f"“{given.strip()}”不在可选范围内，是不是：{'、'.join(close)}？"
    return "应为以下之一：" + "、".join(options)


def chinese_message(error: ErrorDetails) -> str:
    """Return the Chinese message for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "string_too_short":
        return "不能为空" if ctx.get("min_length") == 1 else "太短了，至少 {min_length} 个字".format(**ctx)
    if kind == "too_short":
        return "至少填写 {min_length} 项".format(**ctx)
    if kind == "literal_error":
        return choice_message(_choices(str(ctx.get("expected", ""))).split("、"), error.get("input"))
    if kind == "value_error" and error["loc"] and error["loc"][-1] == "email":
        return "电子邮箱格式不正确"
    template = _TEMPLATES.get(kind)
    if template is None:
        return error["msg"]
    return template.format(**ctx)


def field_path(loc: Sequence[str | int]) -> str:
    """Write a pydantic location the way a YAML author sees it: mentors[0].name."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path or "-"
