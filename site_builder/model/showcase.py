"""The showcase (成果展示): typical cases and a year's figures, one YAML file each under showcase/.

`showcase/<year>/<slug>.yaml` is one case; `showcase/<year>/figures.yaml` is the year's figures as
the office approved them. The worker writes both (publishing.showcase) and a unit may send a case
by pull request; `jianxi validate` and the build check them with these models, errors named
`file:line:column: field: message` like every other file. A case holds no personal data beyond
the byline the intern agreed to: no phone, email or reference (unknown fields are errors).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from .loader import read_document
from .problem import Problem
from .schema import Day, LongText, PositionType, Strict, Text

FOLDER = "showcase"
FIGURES_FILE = "figures.yaml"
YEAR = re.compile(r"20\d\d")
CASE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
STORY_MAX = 800
BYLINE_MAX = 20
# The destinations (去向) a year's figures count, in the order the page shows them.
DESTINATIONS: dict[str, str] = {
    "kept": "留用",
    "employed": "到其他单位就业",
    "study": "升学深造",
    "seeking": "暂未就业",
    "other": "其他",
}


# The cases the worker writes are named by their placement, never by the person; it leaves every
# other name (a case sent by pull request) alone.
WORKER_CASE = re.compile(rf"{FOLDER}/\d{{4}}/jianxi-\d+\.yaml")


def case_path(year: int, placement_id: int) -> str:
    """Where the worker keeps a placement's case."""
    return f"{FOLDER}/{year}/jianxi-{placement_id}.yaml"


def figures_path(year: int) -> str:
    return f"{FOLDER}/{year}/{FIGURES_FILE}"


def _byline(value: str) -> str:
    if len(value) > BYLINE_MAX:
        raise PydanticCustomError("byline_too_long", "署名最多 {limit} 个字", {"limit": BYLINE_MAX})
    return value


# What a public page must never carry about a person: a mobile or landline number, an email
# address, an identity card number.
CONTACT_DETAILS = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|[\w.+-]+@[\w-]+\.[\w.-]+|\d{17}[\dXx]")


def _no_contact(value: str) -> str:
    if CONTACT_DETAILS.search(value):
        raise PydanticCustomError("personal_details", "不能写手机号、电话、电子邮箱或身份证号等个人信息")
    return value


def _story(value: str) -> str:
    if len(value) > STORY_MAX:
        raise PydanticCustomError("story_too_long", "太长了，最多 {limit} 个字", {"limit": STORY_MAX})
    return _no_contact(value)


Count = Annotated[int, Field(ge=0, le=1_000_000)]


class ShowcaseCase(Strict):
    """One typical case (典型案例) as the public page shows it."""

    title: Annotated[Text, AfterValidator(_no_contact)] = Field(
        title="标题", description="一句话概括这段见习经历"
    )
    year: int = Field(ge=2000, le=2099, title="见习年度", description="与所在目录 showcase/<年度>/ 一致")
    unit: Text = Field(title="见习单位")
    position_type: PositionType = Field(title="岗位类型")
    intern: Annotated[Text, AfterValidator(_byline)] | None = Field(
        default=None,
        title="署名",
        description="仅在见习学生本人同意署名时填写，如“王同学”；不署名则不写此项",
    )
    story: Annotated[LongText, AfterValidator(_story)] = Field(title="案例正文")
    sample: bool = Field(default=False, title="示例数据", description="虚构的示例案例填 true")


class Destinations(Strict):
    """Interns who finished, by where they went next."""

    kept: Count = Field(default=0, title="留用")
    employed: Count = Field(default=0, title="到其他单位就业")
    study: Count = Field(default=0, title="升学深造")
    seeking: Count = Field(default=0, title="暂未就业")
    other: Count = Field(default=0, title="其他")


class ShowcaseFigures(Strict):
    """A programme year's figures, as the office approved them."""

    year: int = Field(ge=2000, le=2099, title="见习年度")
    positions: Count = Field(title="岗位数")
    headcount: Count = Field(title="招收名额")
    units: Count = Field(title="设岗单位数")
    interns: Count = Field(title="上岗见习人数")
    completed: Count = Field(title="完成见习人数")
    destinations: Destinations = Field(default_factory=Destinations, title="见习结束后的去向")
    approved_on: Day | None = Field(default=None, title="市项目办审定日期")


@dataclass(frozen=True)
class CaseEntry:
    path: str
    slug: str
    case: ShowcaseCase


@dataclass
class Showcase:
    """Every valid case and figures file, and what was wrong with the rest."""

    cases: list[CaseEntry] = field(default_factory=list)
    figures: dict[int, ShowcaseFigures] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def years(self) -> list[int]:
        """The years with a case or figures, newest first."""
        return sorted({c.case.year for c in self.cases} | set(self.figures), reverse=True)

    def key(self) -> tuple[object, ...]:
        """What the page shows, compared between two loads (site_builder.changes)."""
        return (tuple(self.cases), tuple(sorted(self.figures.items())))


def _problem(shown: str, message: str, name: str = "-") -> Problem:
    return Problem(shown, 1, 1, name, message)


def check_file(shown: str, content: bytes, showcase: Showcase | None = None) -> list[Problem]:
    """Validate one showcase file (its path relative to the project, as shown in errors); add what
    is valid to showcase when given."""
    from .catalogue import validate_document  # the catalogue module imports this one

    parts = Path(shown).parts
    if len(parts) != 3 or parts[0] != FOLDER or not YEAR.fullmatch(parts[1]) or Path(shown).suffix != ".yaml":
        return [
            _problem(
                shown,
                "成果展示文件应放在 showcase/<年度>/ 下，扩展名为 .yaml，如 showcase/2026/kepu-wang.yaml",
            )
        ]
    year, slug = int(parts[1]), Path(shown).stem
    if parts[2] != FIGURES_FILE and not CASE_SLUG.fullmatch(slug):
        return [_problem(shown, f"文件名“{parts[2]}”不合规：只能用小写英文字母、数字和连字符（-）")]
    document = read_document(shown, content)
    value: ShowcaseCase | ShowcaseFigures | None
    if parts[2] == FIGURES_FILE:
        value, problems = validate_document(document, ShowcaseFigures)
    else:
        value, problems = validate_document(document, ShowcaseCase)
    if value is None:
        return problems
    if value.year != year:
        line, column = document.locate(("year",))
        return [Problem(shown, line, column, "year", f"年度 {value.year} 与所在目录 showcase/{year}/ 不一致")]
    if showcase is not None:
        if isinstance(value, ShowcaseFigures):
            showcase.figures[year] = value
        else:
            showcase.cases.append(CaseEntry(shown, slug, value))
    return []


def load_showcase(files: Iterable[tuple[str, bytes]]) -> Showcase:
    """The showcase files given (path as shown, content), validated; cases newest year first."""
    showcase = Showcase()
    for shown, content in sorted(files):
        showcase.problems.extend(check_file(shown, content, showcase))
    showcase.cases.sort(key=lambda c: (-c.case.year, c.path))
    return showcase


def case_yaml(case: ShowcaseCase) -> str:
    """A case as its file holds it (yaml.safe_dump: nothing in the text can become YAML)."""
    return _dump(case.model_dump(mode="json", exclude_none=True, exclude=None if case.sample else {"sample"}))


def figures_yaml(figures: ShowcaseFigures) -> str:
    data = figures.model_dump(mode="json", exclude_none=True)
    return _dump(data)


def _dump(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
