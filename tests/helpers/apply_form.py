"""The graduate's application form as the test client sees it: its fields and their blocks."""

import re

EXPERIENCE = "shili-youth-scitech-society/society-newmedia-experience"  # 职业体验, 专科


CLOSED = "shili-engineering-journal/english-abstract-editing-assistant"


FIELD = re.compile(r'<(div|fieldset) class="field[^"]*"[^>]*>(.*?)</\1>', re.S)


def field_block(page: str, name: str) -> str:
    """The markup of the form field called name: its label, hint, errors and control."""
    for match in FIELD.finditer(page):
        if f'name="{name}"' in match.group(2):
            return match.group(2)
    raise AssertionError(f"no field {name!r} on the page")
