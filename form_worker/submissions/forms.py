"""Forms of host units (/submit) and of staff answering their submissions.

These forms carry the input's shape only; the Unit and Position models judge the content, and the
view maps their errors back onto these fields.
"""

import wtforms
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from site_builder.model.schema import MENTORS_NEEDED_AT_MOST
from site_builder.model.vocab import DISTRICTS, EDUCATION_LEVELS, POSITION_TYPES, TAGS, UNIT_CATEGORIES

from ..core.forms import Form, required

# Positions in one submission: a university hosting many sends its whole catalogue at once.
POSITIONS_AT_MOST = 100


class _Part(wtforms.Form):
    """A repeated part of the submission form: no CSRF token of its own."""

    class Meta:
        locales = ["zh"]


def _options(values, prompt: str = "请选择") -> list[SelectChoice]:
    return [SelectChoice("", prompt)] + [SelectChoice(v) for v in values]


DATE = {"type": "date", "placeholder": "YYYY-MM-DD"}
NUMBER = {"inputmode": "numeric"}


class UnitPart(_Part):
    name = StringField("单位名称", render_kw={"autocomplete": "organization"})
    credit_code = StringField(
        "统一社会信用代码", render_kw={"autocapitalize": "characters", "spellcheck": "false"}
    )
    category = SelectField("单位类别", choices=_options(UNIT_CATEGORIES), validate_choice=False)
    district = SelectField("单位所在区县", choices=_options(DISTRICTS), validate_choice=False)
    address = StringField("单位地址")
    website = StringField("单位网站（可不填）", render_kw={"inputmode": "url"})
    hr_status = RadioField(
        "就业见习单位认定",
        choices=[
            SelectChoice("approved", "已被参保地区县人力社保部门认定为就业见习单位"),
            SelectChoice("pending", "正在申报，尚未认定"),
        ],
        validate_choice=False,
    )
    hr_bureau = StringField("认定部门")
    hr_date = StringField("认定日期（已认定时必填）", render_kw=DATE)
    contact_name = StringField("联系人")
    contact_phone = StringField("联系电话", render_kw={"inputmode": "tel"})
    contact_email = StringField("联系人电子邮箱", render_kw={"inputmode": "email"})


class MentorPart(_Part):
    name = StringField("导师姓名")
    title = StringField("导师职务或职称")


class PositionPart(_Part):
    # The published file this position edits (its name without .yaml); empty for a new position.
    slug = HiddenField()
    title = StringField("岗位名称")
    type = SelectField("岗位类型", choices=_options(POSITION_TYPES), validate_choice=False)
    track = RadioField(
        "岗位性质",
        choices=[
            SelectChoice("科技见习", "科技见习（面向应届毕业生和离校两年内未就业的毕业生）"),
            SelectChoice("职业体验", "职业体验（面向在校生）"),
        ],
        validate_choice=False,
    )
    headcount = StringField("招收人数", render_kw=NUMBER)
    mentors = FieldList(FormField(MentorPart), min_entries=2, max_entries=MENTORS_NEEDED_AT_MOST)
    duties = TextAreaField("岗位职责")
    learning = TextAreaField("见习收获")
    majors = TextAreaField("专业要求（每行一个）")
    education = SelectField("最低学历", choices=_options(EDUCATION_LEVELS), validate_choice=False)
    workplace_district = SelectField("工作地点所在区县", choices=_options(DISTRICTS), validate_choice=False)
    workplace_address = StringField("工作地点详细地址")
    allowance = StringField("每月基本生活费（元）", render_kw=NUMBER)
    start_date = StringField("见习开始日期", render_kw=DATE)
    end_date = StringField("见习结束日期", render_kw=DATE)
    deadline = StringField("报名截止日期", render_kw=DATE)
    status = SelectField(
        "岗位状态",
        choices=[
            SelectChoice("open", "招募中"),
            SelectChoice("closed", "已关闭"),
            SelectChoice("filled", "已招满"),
        ],
        default="open",
        validate_choice=False,
    )
    tags = SelectMultipleField(
        "产业领域标签（可多选，可不选）",
        choices=[SelectChoice(t) for t in TAGS],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,
    )
    contact_name = StringField("岗位联系人（可不填，不填则用单位联系人）")
    contact_phone = StringField("岗位联系电话", render_kw={"inputmode": "tel"})
    contact_email = StringField("岗位联系人电子邮箱", render_kw={"inputmode": "email"})


class SubmitForm(Form):
    """The online 岗位征集表: one unit, then one or more positions."""

    source = HiddenField(default="form")
    unit = FormField(UnitPart)
    positions = FieldList(FormField(PositionPart), min_entries=1, max_entries=POSITIONS_AT_MOST)
    # A field people never see; bots fill every field they find.
    nickname = StringField("昵称（请留空）")


class SpreadsheetForm(Form):
    spreadsheet = FileField(
        "填好的岗位征集表（.xlsx）",
        [
            FileRequired("请选择要上传的岗位征集表文件"),
            FileAllowed(["xlsx"], "只能上传 .xlsx 格式的岗位征集表（可先下载模板填写）"),
            FileSize(2 * 1024 * 1024, message="文件不能超过 2 MB"),
        ],
    )


class RequestChangesForm(Form):
    message = TextAreaField(
        "需要单位修改的内容（会写入邮件发给单位联系人）",
        [required("需要单位修改的内容"), Length(max=2000, message="最多 2000 个字")],
    )


class RejectSubmissionForm(Form):
    reason = TextAreaField(
        "不予通过的原因（会写入邮件发给单位联系人）",
        [required("不予通过的原因"), Length(max=2000, message="最多 2000 个字")],
    )
