"""The base of every form: Chinese messages, control characters dropped, no JSON bodies."""

import re

from flask import has_request_context, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.validators import DataRequired

# The largest id of a row: PostgreSQL's integer columns hold no more.
MAX_ID = 2**31 - 1
# C0 control characters except tab, line feed and carriage return.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Form(FlaskForm):
    class Meta:
        locales = ["zh"]

        def wrap_formdata(self, form, formdata):
            """The posted answers without control characters, which nobody types and PostgreSQL refuses
            (NUL). A JSON body is no form post: Flask-WTF would read it and fail on a list or a string."""
            if has_request_context() and request.is_json:
                return None
            formdata = super().wrap_formdata(form, formdata)
            if not hasattr(formdata, "getlist"):
                return formdata
            return MultiDict(
                (key, CONTROL.sub("", value) if isinstance(value, str) else value)
                for key, value in formdata.items(multi=True)
            )


def required(label: str) -> DataRequired:
    return DataRequired(message=f"请填写{label}")


def row_ids(values: list[str] | None) -> list[int]:
    """The row ids among posted values (a work list's ticked rows); anything else is dropped."""
    return sorted({int(v) for v in values or [] if v.isdigit() and 0 < int(v) <= MAX_ID})
