"""WTForms forms. Every message is Chinese; WTForms' own messages use its zh translation."""

import datetime as dt
import re

import wtforms
from flask import has_request_context, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    MonthField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from site_builder.model.vocab import DISTRICTS, EDUCATION_LEVELS, POSITION_TYPES, TAGS, UNIT_CATEGORIES

from .eligibility import STATUSES

PRIORITY_GROUPS = ("低保家庭", "零就业家庭", "防止返贫致贫对象家庭", "特困人员", "残疾")
MOBILE = re.compile(r"1[3-9]\d{9}")
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


class ApplyForm(Form):
    """The application form; choices are filled per request with the positions open today."""

    choice1 = SelectField("第一意向岗位", validate_choice=False)
    choice2 = SelectField("第二意向岗位（可不选）", validate_choice=False)
    choice3 = SelectField("第三意向岗位（可不选）", validate_choice=False)

    name = StringField("姓名", [required("姓名"), Length(max=30, message="姓名最多 30 个字")])
    phone = StringField(
        "手机号",
        [required("手机号"), Regexp(MOBILE.pattern + "$", message="请填写 11 位手机号")],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    email = StringField(
        "电子邮箱",
        [required("电子邮箱"), Email(message="邮箱格式不正确"), Length(max=254)],
        render_kw={"inputmode": "email", "autocomplete": "email"},
    )
    university = StringField(
        "毕业（就读）学校",
        [required("学校"), Length(max=100, message="学校名称最多 100 个字")],
        render_kw={"list": "universities"},
    )
    major = StringField("专业", [required("专业"), Length(max=100, message="专业最多 100 个字")])
    degree = SelectField(
        "学历",
        choices=[SelectChoice("", "请选择")] + [SelectChoice(d) for d in EDUCATION_LEVELS],
        validate_choice=False,
    )
    graduation = MonthField(
        "毕业时间（在校生填预计毕业时间）", [DataRequired(message="请填写毕业时间，如 2026-06")]
    )
    current_status = RadioField(
        "目前状态", choices=[SelectChoice(s) for s in STATUSES], validate_choice=False
    )

    society_post = BooleanField("我有大学生科技社团任职经历")
    # No Optional() on the two details: it would stop the chain before validate_*_detail runs.
    society_post_detail = TextAreaField("科技社团任职经历说明", [Length(max=300, message="最多 300 个字")])
    volunteering = BooleanField("我有科技志愿服务经历")
    volunteering_detail = TextAreaField("科技志愿服务经历说明", [Length(max=300, message="最多 300 个字")])

    priority_consent = BooleanField("我单独同意提供以下家庭经济困难或残疾情况，用于同等条件下的优先考虑")
    priority_groups = SelectMultipleField(
        "优先考虑情形（可多选，可不选）",
        choices=[SelectChoice(g) for g in PRIORITY_GROUPS],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,
    )

    statement = TextAreaField(
        "个人陈述（可不填）", [Optional(), Length(max=2000, message="个人陈述最多 2000 个字")]
    )
    privacy = BooleanField(
        "我已阅读并同意《个人信息处理说明》",
        [DataRequired(message="请阅读并同意个人信息处理说明后再提交")],
    )
    # A field people never see; bots fill every field they find.
    website = StringField("网址（请留空）")

    def choice_fields(self) -> list[SelectField]:
        return [self.choice1, self.choice2, self.choice3]

    def chosen(self) -> list[str]:
        return [f.data for f in self.choice_fields() if f.data]

    def validate_degree(self, field: SelectField) -> None:
        if field.data not in EDUCATION_LEVELS:
            raise ValidationError("请选择学历")

    def validate_current_status(self, field: RadioField) -> None:
        if field.data not in STATUSES:
            raise ValidationError("请选择目前状态")

    def validate_graduation(self, field: MonthField) -> None:
        if field.data and not dt.date(1990, 1, 1) <= field.data <= dt.date(2100, 12, 1):
            raise ValidationError("毕业时间不在合理范围内")

    def validate_society_post_detail(self, field: TextAreaField) -> None:
        if self.society_post.data and not (field.data or "").strip():
            raise ValidationError("请简要说明在哪个科技社团担任什么职务")

    def validate_volunteering_detail(self, field: TextAreaField) -> None:
        if self.volunteering.data and not (field.data or "").strip():
            raise ValidationError("请简要说明参加过哪些科技志愿服务")

    def validate_priority_groups(self, field: SelectMultipleField) -> None:
        if any(g not in PRIORITY_GROUPS for g in field.data or []):
            raise ValidationError("请从列出的情形中选择")


class StatusForm(Form):
    reference = StringField(
        "报名编号", [required("报名编号"), Length(max=20)], render_kw={"placeholder": "如 JX2026-000123"}
    )
    contact = StringField(
        "报名时填写的手机号或邮箱",
        [required("手机号或邮箱"), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class LoginForm(Form):
    username = StringField(
        "用户名", [required("用户名"), Length(max=50)], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        "密码", [required("密码"), Length(max=200)], render_kw={"autocomplete": "current-password"}
    )


# Staff area. Every form carries the state the staff member saw, so a stale page cannot act.


class TransitionForm(Form):
    """Moves an application; the button pressed names the new state (`to_state`)."""

    state = HiddenField()
    to_state = StringField()
    reason = TextAreaField(
        "原因或说明（不予通过、撤回时必填；会写入邮件告知申请人）",
        [Length(max=1000, message="最多 1000 个字")],
    )


class OfferForm(Form):
    """Offers a place: a position among the applicant's choices and one of its mentors."""

    state = HiddenField()
    position = SelectField("录用岗位", validate_choice=False)
    mentor = SelectField("见习导师", validate_choice=False)
    reason = TextAreaField(
        "说明（可不填；会写入邮件告知申请人）", [Length(max=1000, message="最多 1000 个字")]
    )


class AccountForm(Form):
    username = StringField(
        "用户名",
        [
            required("用户名"),
            Length(max=50, message="用户名最多 50 个字符"),
            Regexp(r"^[A-Za-z0-9_.-]+$", message="用户名只能用英文字母、数字和 _ . -"),
        ],
        render_kw={"autocomplete": "off"},
    )
    name = StringField("姓名", [required("姓名"), Length(max=50, message="姓名最多 50 个字")])
    email = StringField("电子邮箱（可不填）", [Optional(), Email(message="邮箱格式不正确"), Length(max=254)])
    role = RadioField(
        "角色",
        choices=[
            SelectChoice("reviewer", "审核员"),
            SelectChoice("admin", "管理员（可管理账号、查看操作日志）"),
        ],
        default="reviewer",
    )
    password = PasswordField(
        "初始密码（至少 10 位）",
        [required("初始密码"), Length(min=10, max=200, message="密码至少 10 位")],
        render_kw={"autocomplete": "new-password"},
    )


class PasswordResetForm(Form):
    password = PasswordField(
        "新密码（至少 10 位）",
        [required("新密码"), Length(min=10, max=200, message="密码至少 10 位")],
        render_kw={"autocomplete": "new-password"},
    )


class ExportForm(Form):
    """One export of applications: by position, unit or university (`scope`), in one format."""

    scope = HiddenField()
    key = SelectField(validate_choice=False)
    format = RadioField(
        "文件格式",
        choices=[SelectChoice("xlsx", "Excel 表格（.xlsx）"), SelectChoice("csv", "CSV（.csv，UTF-8）")],
        default="xlsx",
    )
    sensitive = BooleanField("包含敏感信息（优先考虑情形；仅管理员，导出将记入操作日志）")


# Position submission by host units (/submit) and its review by staff.
# These forms carry the input's shape only; the Unit and Position models judge the content, and the
# view maps their errors back onto these fields.


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
    district = SelectField("参保所在区县", choices=_options(DISTRICTS), validate_choice=False)
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
    mentors = FieldList(FormField(MentorPart), min_entries=2, max_entries=10)
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
    positions = FieldList(FormField(PositionPart), min_entries=1, max_entries=30)
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
