"""From cells to a model and back: the values a workbook holds become the dict a model validates,
and each of the model's complaints is pinned to the cell it came from.

Every row goes through the same pydantic models as the YAML files, so a cell is accepted exactly
when the same value in a YAML file would be; errors name file, sheet, row and column in Chinese.
"""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ..model.messages import chinese_message, choice_message, field_path
from ..model.problem import Problem
from .columns import Column, Loc

M = TypeVar("M", bound=BaseModel)

_LIST_SEPARATORS = re.compile(r"[、，,;；\n]+")


class SheetProblem(Problem):
    """A problem in a workbook cell, written as 文件:工作表:第5行:C列（岗位性质）: 说明."""

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":第{self.line}行"
        if self.column:
            where += f":{get_column_letter(self.column)}列（{self.field}）"
        elif self.field != "-":
            where += f":{self.field}"
        return f"{where}: {self.message}"

    def plain(self) -> str:
        """The same for the clerk who filled the sheet in: 「岗位」表第 4 行「岗位类型」（B 列）：说明."""
        sheet = self.path.split(":", 1)[1] if ":" in self.path else ""
        where = f"「{sheet}」表" if sheet else ""
        if self.line:
            where += f"第 {self.line} 行"
        if self.field != "-":
            where += f"「{self.field}」"
            if self.column:
                where += f"（{get_column_letter(self.column)} 列）"
        return f"{where}：{self.message}" if where else self.message


@dataclass
class Record:
    """One model's worth of cells: the dict for the model and where each field came from."""

    data: dict[str | int, Any] = field(default_factory=dict)
    # model location → (row, column, header) of the cell it came from
    cells: dict[Loc, tuple[int, int, str]] = field(default_factory=dict)
    # cells already reported (a formula, an error value): the model's complaints about them are noise
    reported: set[tuple[int, int]] = field(default_factory=set)


def clean(value: Any) -> Any:
    """Normalise what openpyxl reads: trimmed text, 2.0 → 2, datetimes → dates, blanks → None."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def as_text(value: Any) -> str:
    """A cleaned value as the text a clerk sees in the cell, for fields the model reads as text."""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def cell_value(cell: Any) -> tuple[Any, str | None]:
    """Return a cell's cleaned value, or a problem for formulas and error values."""
    if cell.data_type == "f":
        return None, "单元格里是公式，请直接填写内容（可复制后“选择性粘贴→值”）"
    if cell.data_type == "e":
        return None, f"单元格显示错误值 {cell.value}，请改为正确内容"
    return clean(cell.value), None


def _model_value(column: Column, value: Any) -> Any:
    """Turn a cleaned cell value into what the model expects for this column."""
    if column.labels is not None:
        return column.labels.get(value, value) if isinstance(value, str) else value
    if column.kind == "list":
        if isinstance(value, str):
            return [part.strip() for part in _LIST_SEPARATORS.split(value) if part.strip()]
        return [as_text(value)]
    if column.kind == "date":
        return value if isinstance(value, dt.date) else as_text(value)
    if column.kind == "int":
        return value if isinstance(value, int | float) and not isinstance(value, bool) else as_text(value)
    return as_text(value)


def _set(data: dict[str | int, Any], loc: Sequence[str | int], value: Any) -> None:
    *parents, last = loc
    for key in parents:
        data = data.setdefault(key, {})
    data[last] = value


def fill(record: Record, column: Column, value: Any, row: int, number: int, reported: bool = False) -> None:
    """Put one cell's value into the record and remember where it came from."""
    record.cells[column.loc] = (row, number, column.header)
    if reported:
        record.reported.add((row, number))
    elif value is not None:
        _set(record.data, column.loc, _model_value(column, value))


def fill_mentors(record: Record, row: int, found: list[tuple[Column, int, Any]]) -> None:
    """Gather the filled mentor slots of a row into a list, in slot order, skipping empty slots."""
    slots: dict[int, dict[str, tuple[int, str, Any]]] = {}
    for column, number, value in found:
        slot, part = column.loc[1], column.loc[2]
        slots.setdefault(int(slot), {})[str(part)] = (number, column.header, value)
    mentors: list[dict[str, str]] = []
    for slot in sorted(slots):
        parts = slots[slot]
        if all(value is None for *_, value in parts.values()):
            continue
        index = len(mentors)
        mentor = {}
        for part, (number, header, value) in parts.items():
            record.cells[("mentors", index, part)] = (row, number, header)
            if value is not None:
                mentor[part] = as_text(value)
        mentors.append(mentor)
    record.data["mentors"] = mentors
    # "至少填写 1 项" points at the first mentor column of the row.
    first = min(((n, h) for parts in slots.values() for n, h, _ in parts.values()), default=None)
    if first:
        record.cells[("mentors",)] = (row, *first)


def validate(
    record: Record, model: type[M], path: str, columns: dict[str, Column]
) -> tuple[M | None, list[Problem]]:
    """Validate a record against a model; each problem names the cell it is about."""
    try:
        return model.model_validate(record.data), []
    except ValidationError as error:
        problems: list[Problem] = []
        for detail in error.errors(include_url=False):
            problem = _cell_problem(record, detail, path, columns)
            if (problem.line, problem.column) not in record.reported:
                problems.append(problem)
        return None, problems


def _cell_problem(record: Record, detail: ErrorDetails, path: str, columns: dict[str, Column]) -> Problem:
    loc = tuple(detail["loc"])
    message = chinese_message(detail)
    for size in range(len(loc), 0, -1):
        where = record.cells.get(loc[:size])
        if where is None:
            continue
        row, column_number, header = where
        column = columns.get(header)
        if column and column.labels and detail["type"] in ("literal_error", "bool_parsing", "bool_type"):
            message = choice_message(list(column.labels), detail.get("input"))
        rest = loc[size:]
        if rest and isinstance(rest[0], int):
            message = f"第 {rest[0] + 1} 项：{message}"
        return SheetProblem(path, row, column_number, header, message)
    first = min(record.cells.values(), default=(0, 0, "-"))
    return SheetProblem(path, first[0], 0, field_path(loc), message)
