"""Hostile workbooks built on the fly: small zips that unpack into something huge.

Each starts from the real template and rewrites parts of its zip, streaming what it writes, so the
test process never holds the unpacked bomb itself and a memory measurement sees only the reader.
"""

import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from io import BytesIO

from site_builder.spreadsheet import POSITION_SHEET, template_workbook, workbook_bytes

SHARED_STRINGS = "xl/sharedStrings.xml"
_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_MB = 1024 * 1024


def _position_part() -> str:
    # openpyxl names sheets' parts by their order in the workbook.
    return f"xl/worksheets/sheet{template_workbook().sheetnames.index(POSITION_SHEET) + 1}.xml"


def rewrite(replace: dict[str, Callable[[bytes], Iterator[bytes]]], extra: int = 0) -> bytes:
    """The template's zip with some parts rewritten in chunks, plus `extra` tiny parts."""
    source = zipfile.ZipFile(BytesIO(workbook_bytes(template_workbook())))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            original = source.read(info)
            with target.open(info.filename, "w", force_zip64=True) as stream:
                for chunk in replace.get(info.filename, lambda data: iter([data]))(original):
                    stream.write(chunk)
        for name, chunks in replace.items():
            if name not in source.namelist():
                with target.open(name, "w", force_zip64=True) as stream:
                    for chunk in chunks(b""):
                        stream.write(chunk)
        for number in range(extra):
            target.writestr(f"xl/media/extra{number}.bin", b"x")
    return out.getvalue()


def shared_string_bomb(megabytes: int) -> bytes:
    """One shared string of `megabytes` MB (the attack used 600 MB in a 596 KB file)."""

    def strings(_: bytes) -> Iterator[bytes]:
        yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
        for _ in range(megabytes):
            yield b"a" * _MB
        yield b"</t></si></sst>"

    def types(data: bytes) -> Iterator[bytes]:
        yield data.replace(b"</Types>", _STRINGS_TYPE.encode() + b"</Types>")

    return rewrite({SHARED_STRINGS: strings, "[Content_Types].xml": types})


def blank_rows_bomb(rows: int) -> bytes:
    """The 岗位 sheet followed by `rows` blank rows (the attack used 15 million in 450 KB)."""

    def sheet(data: bytes) -> Iterator[bytes]:
        # The declared dimension covers the rows, as Excel writes it: openpyxl reads up to it.
        data = data.replace(b'<dimension ref="A1:X1" />', f'<dimension ref="A1:X{rows + 1}" />'.encode())
        head, tail = data.split(b"</sheetData>")
        yield head
        for start in range(2, rows + 2, 10_000):
            # Rows without a number follow the one before, and compress to almost nothing.
            yield b"<row/>" * (min(start + 10_000, rows + 2) - start)
        yield b"</sheetData>" + tail

    return rewrite({_position_part(): sheet})


def far_cell(row: int = 1_048_576, column: str = "XFD", declare: bool = True) -> bytes:
    """One cell at the sheet's far corner, which openpyxl pads every row up to; a few KB in all."""

    def sheet(data: bytes) -> Iterator[bytes]:
        if declare:
            corner = f'<dimension ref="A1:{column}{row}" />'.encode()
            data = data.replace(b'<dimension ref="A1:X1" />', corner)
        cell = f'<row r="{row}"><c r="{column}{row}" t="inlineStr"><is><t>岗位</t></is></c></row>'
        yield data.replace(b"</sheetData>", cell.encode() + b"</sheetData>")

    return rewrite({_position_part(): sheet})


def lying_size(megabytes: int = 30) -> bytes:
    """A part of `megabytes` MB of zeros whose headers declare 1 KB: the declared sizes pass."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(workbook_bytes(template_workbook()))) as source:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                target.writestr(info.filename, source.read(info))
            target.writestr("xl/media/image1.bin", bytes(megabytes * _MB))
            lie = target.getinfo("xl/media/image1.bin")
    data = bytearray(out.getvalue())
    real = lie.file_size.to_bytes(4, "little")
    data[lie.header_offset + 22 : lie.header_offset + 26] = (1024).to_bytes(4, "little")
    # The central directory repeats the local header's fields from "version needed" to the CRC.
    size = data.rindex(data[lie.header_offset + 4 : lie.header_offset + 18]) + 18
    assert data[size : size + 4] == real
    data[size : size + 4] = (1024).to_bytes(4, "little")
    return bytes(data)


def repeated(part: str, opening: bytes, element: bytes, count: int, closing: bytes) -> bytes:
    """The template with `part` replaced by `count` copies of one small element."""

    def chunks(_: bytes) -> Iterator[bytes]:
        yield opening
        for start in range(0, count, 100_000):
            yield element * min(100_000, count - start)
        yield closing

    replace = {part: chunks}
    if part == SHARED_STRINGS:

        def types(data: bytes) -> Iterator[bytes]:
            yield data.replace(b"</Types>", _STRINGS_TYPE.encode() + b"</Types>")

        replace["[Content_Types].xml"] = types
    return rewrite(replace)


_MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def styles_bomb(count: int = 4_000_000) -> bytes:
    """styles.xml with `count` cell formats: 40 KB that took a worker to 2.5 GB."""
    return repeated(
        "xl/styles.xml", b"<styleSheet " + _MAIN + b"><cellXfs>", b"<xf/>", count, b"</cellXfs></styleSheet>"
    )


def wide_row(count: int = 5_000_000) -> bytes:
    """The 岗位 sheet's first row with `count` empty cells: 30 KB that took a worker to 1.6 GB."""
    opening = b"<worksheet " + _MAIN + b'><sheetData><row r="1">'
    return repeated(_position_part(), opening, b"<c/>", count, b"</row></sheetData></worksheet>")


def many_strings(count: int = 1_000_000) -> bytes:
    """`count` one-letter shared strings."""
    return repeated(SHARED_STRINGS, b"<sst " + _MAIN + b">", b"<si><t>a</t></si>", count, b"</sst>")


def rich_text_string(runs: int = 2_000_000) -> bytes:
    """One shared string of `runs` rich-text runs, each an object when openpyxl reads it."""
    return repeated(SHARED_STRINGS, b"<sst " + _MAIN + b"><si>", b"<r><t>a</t></r>", runs, b"</si></sst>")


def many_parts(count: int) -> bytes:
    """The template with `count` tiny extra parts."""
    return rewrite({}, extra=count)


def peak_memory(call: Callable[[], object]) -> tuple[object, int]:
    """Run `call`, returning its result and the peak of Python memory it allocated, in MB."""
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1] // _MB
    finally:
        tracemalloc.stop()
