"""What a reader of an .xlsx sees, to compare two workbooks written differently."""

import io

from openpyxl import load_workbook


def described(data: bytes) -> list[object]:
    """Sheets with their frozen panes, column widths, and every cell's value, type, number
    format, apostrophe prefix and boldness."""
    book = load_workbook(io.BytesIO(data))
    return [
        (
            sheet.title,
            sheet.freeze_panes,
            {letter: d.width for letter, d in sheet.column_dimensions.items()},
            [
                [(c.value, c.data_type, c.number_format, c.quotePrefix, c.font.b) for c in row]
                for row in sheet.iter_rows()
            ],
        )
        for sheet in book.worksheets
    ]
