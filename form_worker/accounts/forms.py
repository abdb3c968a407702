"""Forms of accounts: login, a new account or a list of them, setting and resetting a password."""

from flask_wtf.file import FileField
from wtforms import PasswordField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import Email, EqualTo, Length, Optional, Regexp, ValidationError

from ..core.forms import Form, required


class LoginForm(Form):
    username = StringField(
        "用户名或邮箱", [required("用户名或邮箱"), Length(max=254)], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        "密码", [required("密码"), Length(max=200)], render_kw={"autocomplete": "current-password"}
    )


class AccountForm(Form):
    """One account; its holder sets the password from the emailed link. The view fills the
    university and unit choices (the list of universities, the catalogue's unit folders)."""

    username = StringField(
        "用户名（可不填，按邮箱生成）",
        [
            Optional(),
            Length(max=50, message="用户名最多 50 个字符"),
            Regexp(r"^[A-Za-z0-9_.-]+$", message="用户名只能用英文字母、数字和 _ . -"),
        ],
        render_kw={"autocomplete": "off"},
    )
    name = StringField("姓名", [required("姓名"), Length(max=50, message="姓名最多 50 个字")])
    email = StringField(
        "电子邮箱（设置密码的链接发到这里）",
        [required("电子邮箱"), Email(message="邮箱格式不正确"), Length(max=254)],
        render_kw={"autocomplete": "off"},
    )
    role = RadioField(
        "角色",
        choices=[
            SelectChoice("reviewer", "市项目办审核员"),
            SelectChoice("admin", "市项目办管理员（可管理账号、查看操作日志和敏感信息）"),
            SelectChoice("university", "高校（遴选推荐本校学生）"),
            SelectChoice("unit", "见习单位（遴选录用、登记协议和保险）"),
            SelectChoice("district_cast", "区县科协（查看本区县的单位、岗位、见习生和统计）"),
            SelectChoice("district_hr", "区县人力社保（同上，并认定本区县的就业见习单位）"),
        ],
        default="reviewer",
    )
    university = SelectField("所属高校（高校账号必选）", validate_choice=False)
    unit = SelectField("所属见习单位（单位账号必选）", validate_choice=False)
    district = SelectField("所属区县（区县账号必选）", validate_choice=False)

    def validate_university(self, field: SelectField) -> None:
        if self.role.data == "university" and field.data not in [
            c.value for c in field.choices or [] if c.value
        ]:
            raise ValidationError("请选择高校")

    def validate_unit(self, field: SelectField) -> None:
        if self.role.data == "unit" and field.data not in [c.value for c in field.choices or [] if c.value]:
            raise ValidationError("请选择见习单位")

    def validate_district(self, field: SelectField) -> None:
        if (self.role.data or "").startswith("district_") and field.data not in [
            c.value for c in field.choices or [] if c.value
        ]:
            raise ValidationError("请选择区县")


class RosterForm(Form):
    roster = FileField(
        "高校或区县账号名单（.xlsx 或 .csv：高校、姓名、电子邮箱；区县账号为区县、角色、姓名、电子邮箱）"
    )


class WelcomeForm(Form):
    """Setting a password from the invitation link."""

    password = PasswordField(
        "登录密码（至少 10 位）",
        [required("登录密码"), Length(min=10, max=200, message="密码至少 10 位")],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "再次输入密码",
        [required("再次输入密码"), EqualTo("password", message="两次输入的密码不一致")],
        render_kw={"autocomplete": "new-password"},
    )


class PasswordResetForm(Form):
    password = PasswordField(
        "新密码（至少 10 位）",
        [required("新密码"), Length(min=10, max=200, message="密码至少 10 位")],
        render_kw={"autocomplete": "new-password"},
    )


class PasswordChangeForm(Form):
    current = PasswordField(
        "当前密码", [required("当前密码"), Length(max=200)], render_kw={"autocomplete": "current-password"}
    )
    password = PasswordField(
        "新密码（至少 10 位）",
        [required("新密码"), Length(min=10, max=200, message="密码至少 10 位")],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "再次输入新密码",
        [required("再次输入新密码"), EqualTo("password", message="两次输入的新密码不一致")],
        render_kw={"autocomplete": "new-password"},
    )
