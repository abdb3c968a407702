"""Helpers of the /submit pages that only read the form: the error summary, the check page's
hidden fields, the answers a draft keeps, and removing one repeated entry from posted data."""

import re

from werkzeug.datastructures import MultiDict
from wtforms import Field

from .forms import SubmitForm
from .mapping import short_label


def error_list(form: SubmitForm) -> list[tuple[str, str, str]]:
    """Every error on the page as (field id, where, message), in page order, for the summary."""
    found = []
    for field in form.unit.form:
        for message in field.errors:
            found.append((field.id, f"单位信息 · {short_label(field)}", message))
    for number, entry in enumerate(form.positions, start=1):
        for field in entry.form:
            if field.type == "FieldList":
                for mentor in field:
                    for sub in mentor.form:
                        for message in sub.errors:
                            found.append((sub.id, f"岗位 {number} · {short_label(sub)}", message))
                continue
            for message in field.errors:
                found.append((field.id, f"岗位 {number} · {short_label(field)}", message))
    return found


def hidden_pairs(form: SubmitForm) -> list[tuple[str, str]]:
    """The whole form as (name, value) pairs, for the check page to post back."""
    pairs: list[tuple[str, str]] = []

    def walk(field: Field) -> None:
        if field.type == "FormField":
            for sub in field.form:
                walk(sub)
        elif field.type == "FieldList":
            for entry in field:
                walk(entry)
        elif field.type == "SelectMultipleField":
            pairs.extend((field.name, str(value)) for value in field.data or [])
        elif field.type != "CSRFTokenField" and field.name != "nickname":
            value = field._value() if hasattr(field, "_value") else field.data
            pairs.append((field.name, "" if value is None else str(value)))

    for field in form:
        walk(field)
    return pairs


def draft_answers(form: SubmitForm) -> dict:
    """The form's answers as a draft keeps them (JSON that SubmitForm(data=…) fills back in),
    without the CSRF token and the honeypot."""
    return {name: value for name, value in form.data.items() if name not in ("csrf_token", "nickname")}


def without_entry(formdata: MultiDict, prefix: str, index: int) -> MultiDict:
    """The posted data without entry `index` of the list `prefix`, later entries moved up one."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-(.*)$", re.S)
    result: MultiDict = MultiDict()
    for key, value in formdata.items(multi=True):
        match = pattern.match(key)
        if match is None:
            result.add(key, value)
            continue
        number = int(match.group(1))
        if number == index:
            continue
        result.add(f"{prefix}-{number - 1 if number > index else number}-{match.group(2)}", value)
    return result
