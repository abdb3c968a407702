"""Pydantic models of a host unit and a position: the one schema every entry point validates with.

Field titles and descriptions are Chinese because they reach unit clerks through their editor's
autocompletion (the published JSON Schema) and through error messages.
"""

import datetime as dt
import os
import re
from typing import TYPE_CHECKING, Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ..clock import add_months
from .credit_code import credit_code_problem
from .phone import is_phone
from .vocab import DISTRICTS, EDUCATION_LEVELS, POSITION_TYPES, TAGS, TRACKS, UNIT_CATEGORIES

SCHEMA_VERSION = 1
# The word the `jianxi new-position` template leaves in every field a clerk must fill.
PLACEHOLDER = "待填写"
MENTOR_LIMIT = 3
HEADCOUNT_LIMIT = 100
# The longest internship (Chongqing's employment-internship rules), and the track the usual
# shortest one applies to: 职业体验 positions are summer weeks for students still at university.
MAX_INTERNSHIP_MONTHS = 12
MIN_MONTHS_TRACK = "科技见习"


def min_internship_months() -> int:
    """The usual shortest internship in months: MIN_INTERNSHIP_MONTHS, default 3.

    Read here rather than in the worker's configuration because every entry point of a position
    (YAML in a pull request, the web form, the spreadsheet) and the worker's agreement form must
    agree: a period the form accepted and the build refused would drop the position.
    """
    value = os.environ.get("MIN_INTERNSHIP_MONTHS", "") or "3"
    if not value.isdigit() or not 1 <= int(value) <= MAX_INTERNSHIP_MONTHS:
        raise ValueError(f"MIN_INTERNSHIP_MONTHS must be 1 to {MAX_INTERNSHIP_MONTHS}, not {value!r}")
    return int(value)


def period_problem(start: dt.date, end: dt.date, track: str) -> str | None:
    """Why an internship from start to end (both days included) is too long or, for 科技见习, too
    short; None when it fits. One rule for the position, the offer and the agreement."""
    last = add_months(start, MAX_INTERNSHIP_MONTHS) - dt.timedelta(days=1)
    if end > last:
        longest = MAX_INTERNSHIP_MONTHS
        return f"见习期最长 {longest} 个月：从 {start.isoformat()} 开始，最晚到 {last.isoformat()}"
    months = min_internship_months()
    first = add_months(start, months) - dt.timedelta(days=1)
    if track == MIN_MONTHS_TRACK and end < first:
        return (
            f"科技见习的见习期一般不少于 {months} 个月：从 {start.isoformat()} 开始，"
            f"至少到 {first.isoformat()}"
        )
    return None


# Mentors a position may need: enough for the largest headcount.
MENTORS_NEEDED_AT_MOST = -(-HEADCOUNT_LIMIT // MENTOR_LIMIT)

# The closed vocabularies as Literal types, built from vocab.py so the values are written once.
# A type checker cannot evaluate a Literal built at run time, so it sees these fields as text;
# pydantic, which reads the run-time types, still refuses any other value.
if TYPE_CHECKING:
    PositionType = str
    Track = str
    Education = str
    UnitCategory = str
    District = str
    Tag = str
else:
    PositionType = Literal[tuple(POSITION_TYPES)]
    Track = Literal[tuple(TRACKS)]
    Education = Literal[tuple(EDUCATION_LEVELS)]
    UnitCategory = Literal[tuple(UNIT_CATEGORIES)]
    District = Literal[tuple(DISTRICTS)]
    Tag = Literal[tuple(TAGS)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _phone(value: str) -> str:
    if is_phone(value):
        return value
    raise PydanticCustomError(
        "phone", "电话号码格式不对：应为 11 位手机号，或带区号的座机号（如 023-63002289）"
    )


def _web_address(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PydanticCustomError("website", "网址应以 http:// 或 https:// 开头")
    return value


# Line breaks and control characters: a one-line field with one could forge a line of a commit
# message or an email header; long texts keep their line breaks and tabs.
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _one_line(value: str) -> str:
    if _NOT_ONE_LINE.search(value):
        raise PydanticCustomError("one_line", "只能填一行：不能包含换行、制表符或其他控制字符")
    return value


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError(
            "control_character", "不能包含控制字符（可能是从别处粘贴带来的），请删去后再试"
        )
    return value


def _filled_in(value: str) -> str:
    if PLACEHOLDER in value:
        raise PydanticCustomError("placeholder", "还没有填写：请把“待填写”换成实际内容")
    return value


def _iso_date(value: object) -> object:
    """Accept only YYYY-MM-DD text, so 20260101 is not read as a Unix time and 2026-02-30 is named."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        raise PydanticCustomError("date_format", "日期格式不对，应写成 YYYY-MM-DD（如 2026-07-01）")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise PydanticCustomError(
            "date_nonexistent", "日期 {value} 不存在", {"value": value.strip()}
        ) from None


def _credit_code(value: str) -> str:
    problem = credit_code_problem(value)
    if problem:
        raise PydanticCustomError("credit_code", problem)
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_date)]
Text = Annotated[
    str, Field(min_length=1, max_length=200), AfterValidator(_one_line), AfterValidator(_filled_in)
]
LongText = Annotated[
    str, Field(min_length=10, max_length=2000), AfterValidator(_no_control), AfterValidator(_filled_in)
]
Phone = Annotated[str, AfterValidator(_phone), Field(title="联系电话", examples=["023-63002289"])]


class Strict(BaseModel):
    """Unknown fields are errors; numbers a clerk typed unquoted (phones, codes) read as text."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True, frozen=True
    )


class Contact(Strict):
    name: Text = Field(title="联系人")
    phone: Phone
    email: EmailStr = Field(title="电子邮箱")


class HrApproval(Strict):
    """Approval as 就业见习单位 by the HR bureau of the district where the unit pays insurance."""

    status: Literal["pending", "approved"] = Field(
        title="就业见习单位认定状态", description="pending：申报中；approved：已认定"
    )
    bureau: Text = Field(title="认定部门", examples=["重庆市渝中区人力资源和社会保障局"])
    date: Day | None = Field(
        default=None, validate_default=True, title="认定日期", description="已认定时必填"
    )
    # Written by the worker when the bureau confirms the unit through its link (form_worker.units).
    document: Text | None = Field(default=None, title="认定文号", examples=["渝中人社见〔2026〕12号"])

    @field_validator("date")
    @classmethod
    def _date_when_approved(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        if value is None and info.data.get("status") == "approved":
            raise PydanticCustomError("approval_date", "已认定（approved）时必须填写认定日期")
        return value


class Unit(Strict):
    """A host unit (设岗单位), kept in positions/<unit-slug>/unit.yaml."""

    name: Text = Field(title="单位名称")
    credit_code: Annotated[str, AfterValidator(_credit_code)] = Field(
        title="统一社会信用代码", examples=["91110000600037341L"]
    )
    category: UnitCategory = Field(title="单位类别", description="通知中的九类征集范围之一")
    district: District = Field(title="所在区县")
    address: Text = Field(title="单位地址")
    website: Annotated[str, AfterValidator(_web_address)] | None = Field(default=None, title="单位网站")
    hr_approval: HrApproval = Field(title="就业见习单位认定")
    contact: Contact = Field(title="单位联系人")
    sample: bool = Field(default=False, title="示例数据", description="虚构的示例单位填 true")


class Mentor(Strict):
    name: Text = Field(title="导师姓名")
    title: Text = Field(title="导师职务或职称")


class Workplace(Strict):
    district: District = Field(title="工作地点所在区县")
    address: Text = Field(title="详细地址")


class Position(Strict):
    """A position (见习岗位), kept in positions/<unit-slug>/<position-slug>.yaml.

    Fields are declared in the order the cross-field rules need them: each rule only sees the
    fields above it.
    """

    title: Text = Field(title="岗位名称")
    type: PositionType = Field(title="岗位类型")
    track: Track = Field(title="岗位性质", description="科技见习面向毕业生；职业体验面向在校生")
    mentors: list[Mentor] = Field(min_length=1, title="见习导师")
    headcount: int = Field(ge=1, le=HEADCOUNT_LIMIT, title="招收人数")
    duties: LongText = Field(title="岗位职责")
    learning: LongText = Field(title="见习收获", description="见习生能学到什么")
    majors: list[Text] = Field(min_length=1, title="专业要求")
    education: Education = Field(title="最低学历")
    workplace: Workplace = Field(title="工作地点")
    allowance: int = Field(ge=1, le=50000, title="每月基本生活费（元）")
    start_date: Day = Field(title="见习开始日期")
    end_date: Day = Field(title="见习结束日期")
    deadline: Day = Field(title="报名截止日期")
    status: Literal["open", "closed", "filled"] = Field(
        default="open", title="岗位状态", description="open：招募中；closed：已关闭；filled：已招满"
    )
    tags: list[Tag] = Field(default=[], title="产业领域标签", description="“416”与“33618”")
    contact: Contact | None = Field(default=None, title="岗位联系人", description="不填则用单位联系人")
    published: Day = Field(title="发布日期")
    sample: bool = Field(default=False, title="示例数据", description="虚构的示例岗位填 true")

    @field_validator("headcount")
    @classmethod
    def _mentor_limit(cls, value: int, info: ValidationInfo) -> int:
        mentors = info.data.get("mentors")
        if mentors and value > MENTOR_LIMIT * len(mentors):
            raise PydanticCustomError(
                "mentor_limit",
                "招收 {headcount} 人至少需要 {needed} 名导师（每名导师最多同时带教 3 名学生），"
                "现有 {mentors} 名",
                {
                    "headcount": value,
                    "needed": -(-value // MENTOR_LIMIT),
                    "mentors": len(mentors),
                },
            )
        return value

    @field_validator("end_date")
    @classmethod
    def _ends_after_start(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start_date")
        if start and value <= start:
            raise PydanticCustomError("end_before_start", "见习结束日期必须晚于开始日期")
        if start and (problem := period_problem(start, value, info.data.get("track", ""))):
            raise PydanticCustomError("period_length", problem)
        return value

    @field_validator("deadline")
    @classmethod
    def _deadline_before_end(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        end = info.data.get("end_date")
        if end and value > end:
            raise PydanticCustomError(
                "deadline_after_end", "报名截止日期不能晚于见习结束日期（{end}）", {"end": str(end)}
            )
        return value

    @field_validator("tags")
    @classmethod
    def _tags_once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise PydanticCustomError("duplicate_tag", "标签重复")
        return value

    def state(self, today: dt.date) -> Literal["open", "expired", "closed", "filled"]:
        """Tell what a reader should see: an open position past its deadline is expired."""
        if self.status == "open" and self.deadline < today:
            return "expired"
        return self.status
