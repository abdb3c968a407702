"""The 岗位征集表 as an .xlsx workbook: the template units fill, its import, and the catalogue export.

columns holds the column spec all three share, cells the one rule for writing a cell (which the
staff exports follow too), writer the template and the export, records and reader the import.
The names below are the ones the command line, the form worker and the tests use.
"""

from .columns import EXPORT_NAME, OPTIONS_SHEET, POSITION_SHEET, TEMPLATE_NAME, UNIT_SHEET
from .reader import read_import, read_workbook
from .writer import export_workbook, template_workbook, workbook_bytes

__all__ = [
    "EXPORT_NAME",
    "OPTIONS_SHEET",
    "POSITION_SHEET",
    "TEMPLATE_NAME",
    "UNIT_SHEET",
    "export_workbook",
    "read_import",
    "read_workbook",
    "template_workbook",
    "workbook_bytes",
]
