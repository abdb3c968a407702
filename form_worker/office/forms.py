"""The exports forms of the staff area."""

from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField

from ..core.forms import Form


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


class NationalExportForm(Form):
    """The re-keying sheet for the national systems: every unit of the programme year (no unit), or one."""

    unit = SelectField("导出哪些单位的岗位", validate_choice=False)
