"""A list of university or district accounts to create, uploaded by an admin as .xlsx or .csv.

One row per person: 高校, 姓名, 电子邮箱 for a university's account, or 区县, 角色 (区县科协 or
区县人力社保), 姓名, 电子邮箱 for a district's (a header row names the columns, in any order; one list
may hold both, a row filling 高校 or 区县). Every row is
checked before anything is created: any problem gives the list back with `第 N 行：…` and nothing
is created, so the clerk fixes the file and uploads it again; rows whose email already has an
account are left alone, so uploading the same list twice creates nobody twice.
"""

import csv
import io
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from xml.parsers.expat import ExpatError

from email_validator import EmailNotValidError, validate_email
from openpyxl import load_workbook

from site_builder.model.vocab import DISTRICTS
from site_builder.spreadsheet.archive import Unsafe, check_archive
from site_builder.spreadsheet.columns import SCAN_ROWS

from ..catalogue.universities import UNIVERSITIES
from ..core.forms import CONTROL

MAX_ROWS = 2000
HEADERS = {
    "高校": "university",
    "学校": "university",
    "区县": "district",
    "角色": "role",
    "姓名": "name",
    "电子邮箱": "email",
    "邮箱": "email",
}
# The district roles as a list names them (accounts.services.ROLE_LABELS).
DISTRICT_ROLE_NAMES = {"区县科协": "district_cast", "区县人力社保": "district_hr"}
UNREADABLE = "无法读取：请上传 Excel 工作簿（.xlsx）或 UTF-8 编码的 .csv 文件，第一行为“高校、姓名、电子邮箱”"


@dataclass(frozen=True)
class Person:
    university: str
    name: str
    email: str
    role: str = "university"
    district: str = ""


class RosterError(Exception):
    """The list cannot be used; `problems` are Chinese, one per line of the answer."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems)
        self.problems = problems


def _filled(rows: Iterable[list[str]]) -> list[tuple[int, list[str]]]:
    """The numbered rows that hold anything, without control characters; RosterError past
    MAX_ROWS people (blank rows are not counted, so none after them is silently dropped)."""
    filled = []
    for number, row in enumerate(rows, start=1):
        cells = [CONTROL.sub("", cell).strip() for cell in row]
        if any(cells):
            filled.append((number, cells))
            if len(filled) > MAX_ROWS + 1:  # the header and MAX_ROWS people
                raise RosterError([f"一次最多上传 {MAX_ROWS} 人，请分成几个文件"])
    return filled


def _rows(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    if filename.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RosterError(
                ["文件不是 UTF-8 编码：请在 Excel 中“另存为 CSV UTF-8”，或直接上传 .xlsx"]
            ) from None
        return _filled(csv.reader(io.StringIO(text)))
    try:
        check_archive(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            # Read no further than spreadsheets are read anywhere (archive-checked, SCAN_ROWS).
            rows = sheet.iter_rows(max_row=SCAN_ROWS, max_col=10, values_only=True)
            return _filled(["" if v is None else str(v) for v in row] for row in rows)
    except Unsafe:
        raise RosterError(["文件过大或已损坏：请只保留一张工作表和所需的三列"]) from None
    except (zipfile.BadZipFile, ExpatError, KeyError, ValueError, TypeError, OSError, IndexError, EOFError):
        raise RosterError([UNREADABLE]) from None


def read_roster(data: bytes, filename: str) -> list[Person]:
    """The people of the list, or RosterError naming every problem by row."""
    rows = _rows(data, filename)
    if not rows:
        raise RosterError(["文件是空的：第一行应为“高校、姓名、电子邮箱”，之后每行一人"])
    header_number, header = rows[0]
    columns = {HEADERS[h]: i for i, h in reversed(list(enumerate(header))) if h in HEADERS}
    missing = [label for label, key in (("姓名", "name"), ("电子邮箱", "email")) if key not in columns]
    if "university" not in columns and not {"district", "role"} <= set(columns):
        missing.insert(0, "高校（或区县、角色）")
    if missing:
        raise RosterError(
            [f"第 {header_number} 行：缺少列“{'、'.join(missing)}”（第一行应为“高校、姓名、电子邮箱”）"]
        )
    people: list[Person] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, row in rows[1:]:
        cell = {key: row[i] if i < len(row) else "" for key, i in columns.items()}
        cell.setdefault("university", "")
        row_problems = _party_problems(cell)
        if not cell["name"] or len(cell["name"]) > 50:
            row_problems.append("姓名必填，最多 50 个字")
        try:
            email = validate_email(cell["email"], check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            row_problems.append(f"电子邮箱“{cell['email']}”格式不正确")
            email = ""
        if email and email in seen:
            row_problems.append(f"电子邮箱与第 {seen[email]} 行重复")
        if email:
            seen.setdefault(email, number)
        if row_problems:
            problems += [f"第 {number} 行：{p}" for p in row_problems]
        else:
            people.append(_person(cell, email))
    if problems:
        raise RosterError(problems)
    return people


def _party_problems(cell: dict[str, str]) -> list[str]:
    """What is wrong with the row's university, or its district and role."""
    if cell["university"] or not cell.get("district"):
        if cell["university"] not in UNIVERSITIES:
            return [f"高校“{cell['university']}”不在高校名单中，请写全称（如“重庆大学”）"]
        return []
    found = []
    if cell["district"] not in DISTRICTS:
        found.append(f"区县“{cell['district']}”不在区县名单中，请写全称（如“渝中区”）")
    if cell.get("role") not in DISTRICT_ROLE_NAMES:
        found.append("角色应为“区县科协”或“区县人力社保”")
    return found


def _person(cell: dict[str, str], email: str) -> Person:
    if cell["university"]:
        return Person(cell["university"], cell["name"], email)
    return Person("", cell["name"], email, DISTRICT_ROLE_NAMES[cell["role"]], cell["district"])
