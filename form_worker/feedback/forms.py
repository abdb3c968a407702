"""The reader's report form and the office's two decisions, with their Chinese messages."""

from wtforms import BooleanField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Email, Length, ValidationError

from site_builder.model.phone import is_phone

from ..core.forms import Form, required
from .models import PROBLEMS

DESCRIPTION_MAX = 1000
NOTE_MAX = 500


class ReportForm(Form):
    """What is wrong with a position; a description unless it is only closed; an optional contact."""

    problem = RadioField(
        "遇到了什么问题",
        choices=[SelectChoice(key, label) for key, label in PROBLEMS.items()],
        validate_choice=False,
    )
    description = TextAreaField(
        "具体情况",
        [Length(max=DESCRIPTION_MAX, message=f"最多 {DESCRIPTION_MAX} 个字")],
        render_kw={"rows": 5, "maxlength": DESCRIPTION_MAX},
    )
    contact = StringField(
        "联系方式（可不填）",
        [Length(max=254, message="联系方式最多 254 个字符")],
    )
    share_contact = BooleanField("同意市项目办把我的联系方式转给设岗单位，以便单位直接回复我")

    def validate_problem(self, field: RadioField) -> None:
        if field.data not in PROBLEMS:
            raise ValidationError("请选择遇到的问题")

    def validate_description(self, field: TextAreaField) -> None:
        field.data = (field.data or "").strip()
        if not field.data and self.problem.data in ("wrong", "other"):
            raise ValidationError("请写明具体情况，如哪一项信息有误、正确的是什么")

    def validate_contact(self, field: StringField) -> None:
        field.data = (field.data or "").strip()
        if not field.data:
            return
        if "@" in field.data:
            Email(message="邮箱格式不正确")(self, field)
        elif not is_phone(field.data):  # as unit.yaml's phones are checked
            raise ValidationError("请填写 11 位手机号、带区号的座机号（如 023-63002289）或电子邮箱")


# The two decisions share one page: their fields keep the name `note` but not the id.
class ForwardForm(Form):
    note = TextAreaField(
        "给单位的说明（可不填）",
        [Length(max=NOTE_MAX, message=f"最多 {NOTE_MAX} 个字")],
        id="forward-note",
        render_kw={"rows": 3, "maxlength": NOTE_MAX},
    )


class CloseForm(Form):
    note = TextAreaField(
        "关闭说明",
        [required("关闭说明"), Length(max=NOTE_MAX, message=f"最多 {NOTE_MAX} 个字")],
        id="close-note",
        render_kw={"rows": 3, "maxlength": NOTE_MAX},
    )
