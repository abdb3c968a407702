"""The submission form and the models, both ways: form data validated into a Draft with every error
put beside its field (or, for a saved draft, only the contact email), and a stored or published
unit turned back into a filled form."""

import datetime as dt
import re
from pathlib import Path

from pydantic import EmailStr, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails
from wtforms import Field

from site_builder.model.messages import chinese_message
from site_builder.model.schema import MENTORS_NEEDED_AT_MOST, Contact, Position, Unit

from ..catalogue.positions import Positions
from .folders import existing_unit, folder_for, published_positions
from .forms import POSITIONS_AT_MOST, SubmitForm
from .services import Draft

LIST_SEPARATORS = re.compile(r"[\n、，,;；]+")
CHOICE_FIELDS = ("SelectField", "RadioField", "SelectMultipleField")
UNIT_PATHS = {
    ("hr_approval", "status"): "hr_status",
    ("hr_approval", "bureau"): "hr_bureau",
    ("hr_approval", "date"): "hr_date",
    ("hr_approval",): "hr_status",
    ("contact", "name"): "contact_name",
    ("contact", "phone"): "contact_phone",
    ("contact", "email"): "contact_email",
    ("contact",): "contact_name",
}
POSITION_PATHS = {
    ("workplace", "district"): "workplace_district",
    ("workplace", "address"): "workplace_address",
    ("workplace",): "workplace_address",
    ("contact", "name"): "contact_name",
    ("contact", "phone"): "contact_phone",
    ("contact", "email"): "contact_email",
    ("contact",): "contact_name",
    ("published",): "start_date",
}


def _text(field: Field) -> str:
    return (field.data or "").strip() if isinstance(field.data, str) else ""


def _empty(field: Field) -> bool:
    return field.data in (None, "", []) or (isinstance(field.data, str) and not field.data.strip())


def short_label(field: Field) -> str:
    return field.label.text.split("（")[0]


def _add_error(field: Field, message: str) -> None:
    if message not in field.errors:
        field.errors = [*field.errors, message]


def _message(field: Field, error: ErrorDetails) -> str:
    """The model's Chinese message; for an empty input, whatever the rule, just "please fill in"."""
    if _empty(field):
        return ("请选择" if field.type in CHOICE_FIELDS else "请填写") + short_label(field)
    return chinese_message(error)


def _target(form, loc: tuple, paths: dict[tuple, str]) -> Field | None:
    names = tuple(part for part in loc if isinstance(part, str))
    for size in range(len(names), 0, -1):
        if names[:size] in paths:
            return form[paths[names[:size]]]
    if names and names[0] in form._fields:
        return form[names[0]]
    return None


def _unit_data(part) -> dict:
    data = {
        "name": _text(part.name),
        "credit_code": _text(part.credit_code).upper(),
        "category": part.category.data or "",
        "district": part.district.data or "",
        "address": _text(part.address),
        "hr_approval": {
            "status": part.hr_status.data or "",
            "bureau": _text(part.hr_bureau),
            "date": _text(part.hr_date) or None,
        },
        "contact": {
            "name": _text(part.contact_name),
            "phone": _text(part.contact_phone),
            "email": _text(part.contact_email),
        },
    }
    if _text(part.website):
        data["website"] = _text(part.website)
    return data


def _contact(part) -> dict | None:
    given = {
        "name": _text(part.contact_name),
        "phone": _text(part.contact_phone),
        "email": _text(part.contact_email),
    }
    return given if any(given.values()) else None


def _position_data(part, published: dt.date, sample: bool) -> tuple[dict, list[int]]:
    """The Position data of one form entry, and which mentor rows it came from (blank rows skipped)."""
    rows = [i for i, m in enumerate(part.mentors) if _text(m.form.name) or _text(m.form.title)]
    data = {
        "title": _text(part.title),
        "type": part.type.data or "",
        "track": part.track.data or "",
        "mentors": [
            {"name": _text(part.mentors[i].form.name), "title": _text(part.mentors[i].form.title)}
            for i in rows
        ],
        "headcount": _text(part.headcount),
        "duties": _text(part.duties),
        "learning": _text(part.learning),
        "majors": [m.strip() for m in LIST_SEPARATORS.split(part.majors.data or "") if m.strip()],
        "education": part.education.data or "",
        "workplace": {
            "district": part.workplace_district.data or "",
            "address": _text(part.workplace_address),
        },
        "allowance": _text(part.allowance),
        "start_date": _text(part.start_date),
        "end_date": _text(part.end_date),
        "deadline": _text(part.deadline),
        "status": part.status.data or "open",
        "tags": list(part.tags.data or []),
        "published": published,
    }
    if contact := _contact(part):
        data["contact"] = contact
    if sample:
        data["sample"] = True
    return data, rows


def _position_errors(part, error: ValidationError, rows: list[int]) -> None:
    for detail in error.errors(include_url=False):
        loc = detail["loc"]
        if loc and loc[0] == "mentors":
            if len(loc) >= 3 and isinstance(loc[1], int) and loc[1] < len(rows):
                field = part.mentors[rows[loc[1]]].form[str(loc[2])]
                _add_error(field, _message(field, detail))
            else:
                _add_error(part.mentors[0].form.name, "请至少填写一位见习导师")
            continue
        field = _target(part, loc, POSITION_PATHS) or part.title
        _add_error(field, _message(field, detail))


def build_draft(form: SubmitForm, current: Positions, day: dt.date, root: Path) -> Draft | None:
    """Validate the form's data with the models; put each error beside its field; None if any."""
    ok = True
    unit = None
    try:
        unit = Unit.model_validate(_unit_data(form.unit.form))
    except ValidationError as error:
        ok = False
        for detail in error.errors(include_url=False):
            field = _target(form.unit.form, detail["loc"], UNIT_PATHS) or form.unit.form.name
            _add_error(field, _message(field, detail))
    existing = existing_unit(current, _text(form.unit.form.credit_code))
    published = published_positions(current, existing.slug) if existing else {}
    positions: list[tuple[str | None, Position]] = []
    seen: set[str] = set()
    for entry in form.positions:
        part = entry.form
        slug = _text(part.slug)
        old = published.get(slug) if slug not in seen else None
        if old is None:
            slug = ""
            part.slug.data = ""
        seen.add(slug)
        data, rows = _position_data(
            part, old.position.published if old else day, bool(old and old.position.sample)
        )
        try:
            positions.append((slug or None, Position.model_validate(data)))
        except ValidationError as error:
            ok = False
            _position_errors(part, error, rows)
    if not ok or unit is None:
        return None
    if existing is not None and existing.unit.sample:
        unit = unit.model_copy(update={"sample": True})
    unit_slug, is_edit = folder_for(current, root, unit)
    source = "xlsx" if form.source.data == "xlsx" else "form"
    published_unit = existing.unit if is_edit and existing is not None else None
    return Draft(unit, positions, unit_slug, is_edit, source, published_unit)


_EMAIL = TypeAdapter(EmailStr)


def contact_email(form: SubmitForm) -> str | None:
    """The unit contact's email if the model accepts it, all that saving a draft asks; else None
    with the model's error beside the field, whatever else the form lacks."""
    part = form.unit.form
    contact = {
        "name": _text(part.contact_name),
        "phone": _text(part.contact_phone),
        "email": _text(part.contact_email),
    }
    try:
        return Contact.model_validate(contact).email
    except ValidationError as error:
        problems = [detail for detail in error.errors(include_url=False) if detail["loc"] == ("email",)]
        if problems:
            _add_error(part.contact_email, _message(part.contact_email, problems[0]))
            return None
    # The address as the model reads it: `"any name" <a@b.cn>` is a@b.cn, never the typed name.
    return _EMAIL.validate_python(contact["email"])


# --- from the models to the form -----------------------------------------------------------------


def _unit_form_data(unit: Unit) -> dict:
    return {
        "name": unit.name,
        "credit_code": unit.credit_code,
        "category": unit.category,
        "district": unit.district,
        "address": unit.address,
        "website": unit.website or "",
        "hr_status": unit.hr_approval.status,
        "hr_bureau": unit.hr_approval.bureau,
        "hr_date": unit.hr_approval.date.isoformat() if unit.hr_approval.date else "",
        "contact_name": unit.contact.name,
        "contact_phone": unit.contact.phone,
        "contact_email": unit.contact.email,
    }


def _position_form_data(slug: str | None, p: Position) -> dict:
    mentors = [{"name": m.name, "title": m.title} for m in p.mentors]
    mentors += [{"name": "", "title": ""}] * max(0, 2 - len(mentors))
    return {
        "slug": slug or "",
        "title": p.title,
        "type": p.type,
        "track": p.track,
        "headcount": str(p.headcount),
        "mentors": mentors,
        "duties": p.duties,
        "learning": p.learning,
        "majors": "\n".join(p.majors),
        "education": p.education,
        "workplace_district": p.workplace.district,
        "workplace_address": p.workplace.address,
        "allowance": str(p.allowance),
        "start_date": p.start_date.isoformat(),
        "end_date": p.end_date.isoformat(),
        "deadline": p.deadline.isoformat(),
        "status": p.status,
        "tags": list(p.tags),
        "contact_name": p.contact.name if p.contact else "",
        "contact_phone": p.contact.phone if p.contact else "",
        "contact_email": p.contact.email if p.contact else "",
    }


class TooMany(ValueError):
    """More positions, or mentors of a position, than one submission holds; the message is Chinese."""


def filled_form(unit: Unit, positions: list[tuple[str | None, Position]], source: str = "form") -> SubmitForm:
    """The form filled from a unit and its positions (a spreadsheet, or the catalogue for an edit).

    Raises TooMany beyond what the form's lists hold, which WTForms would refuse with an error."""
    if len(positions) > POSITIONS_AT_MOST:
        raise TooMany(
            f"一份申报最多 {POSITIONS_AT_MOST} 个岗位，这里有 {len(positions)} 个。"
            f"请分成几份提交，每份不超过 {POSITIONS_AT_MOST} 个岗位（同一单位的几份申报分别审核）。"
        )
    for number, (_, position) in enumerate(positions, start=1):
        if len(position.mentors) > MENTORS_NEEDED_AT_MOST:
            raise TooMany(
                f"岗位 {number}“{position.title}”填了 {len(position.mentors)} 名导师，"
                f"一个岗位最多 {MENTORS_NEEDED_AT_MOST} 名（足够带教 100 人）。"
            )
    return SubmitForm(
        formdata=None,
        data={
            "source": source,
            "unit": _unit_form_data(unit),
            "positions": [_position_form_data(slug, p) for slug, p in positions],
        },
    )
