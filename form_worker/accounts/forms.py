"""Forms of staff accounts: login, a new account, a password reset."""

from wtforms import PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import Email, EqualTo, Length, Optional, Regexp

from ..core.forms import Form, required


class LoginForm(Form):
    username = StringField(
        "用户名", [required("用户名"), Length(max=50)], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        "密码", [required("密码"), Length(max=200)], render_kw={"autocomplete": "current-password"}
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
