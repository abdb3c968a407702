"""Forms of a unit's confirmation: naming the bureau's contact, and the bureau's answer."""

import datetime as dt

from wtforms import DateField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Email, Length, Optional

from ..core.forms import Form, required
from .confirmations import Answer, answer_problems


class BureauContactForm(Form):
    """Who at the district's HR bureau gets the link (the office or the unit names them)."""

    contact_name = StringField(
        "人力社保部门经办人姓名", [required("经办人姓名"), Length(max=50, message="姓名最多 50 个字")]
    )
    contact_email = StringField(
        "经办人电子邮箱（确认链接发到这里）",
        [required("经办人电子邮箱"), Email(message="邮箱格式不正确"), Length(max=254)],
        render_kw={"autocomplete": "off", "inputmode": "email"},
    )


class AnswerForm(Form):
    """The bureau's answer: confirmed with its document and date, or declined with a reason."""

    outcome = RadioField(
        "认定结果",
        choices=[
            SelectChoice("confirmed", "已认定为就业见习单位"),
            SelectChoice("declined", "不予认定"),
        ],
        validate_choice=False,
    )
    document = StringField(
        "认定文件文号（已认定时必填）", [Optional(), Length(max=100, message="最多 100 个字")]
    )
    decided_on = DateField("认定日期（已认定时必填）", [Optional()], format="%Y-%m-%d")
    note = TextAreaField("不予认定的原因（不予认定时必填，单位会看到）", [Optional(), Length(max=1000)])
    officer = StringField("经办人姓名", [required("经办人姓名"), Length(max=50, message="姓名最多 50 个字")])

    def answer(self) -> Answer:
        decided_on = self.decided_on.data if isinstance(self.decided_on.data, dt.date) else None
        return Answer(
            outcome=self.outcome.data or "",
            officer=self.officer.data or "",
            document=self.document.data or "",
            decided_on=decided_on,
            note=self.note.data or "",
        )

    def check(self, today: dt.date) -> bool:
        """The form's own checks and the answer's rules (answer_problems), each beside its field
        and all shown at once; whether both pass."""
        valid = self.validate()
        problems = answer_problems(self.answer(), today)
        for name, message in problems.items():
            field = getattr(self, name)
            if not field.errors:
                field.errors = [*field.errors, message]
        return valid and not problems
