"""Measure an uploaded .xlsx before openpyxl unpacks it: a few hundred KB of zip can hold a bomb.

An .xlsx is a zip of XML parts, and openpyxl unpacks and parses them whole: 450 KB of zip held 15
million blank rows, 596 KB one 600 MB shared string. So the archive is checked first, cheaply: the
number of parts, the sizes they declare and the sizes they really unpack to (read in small chunks
and counted, never held), each against a limit no real 岗位征集表 comes near (the template filled
with the maximum number of positions unpacks to a few MB).

Bytes alone are not enough: openpyxl holds a few hundred bytes per XML element it keeps, so 20 MB
of `<xf/>` styles (2.5 GB), of one row's `<c/>` cells (1.6 GB) or of tiny shared strings took far
more memory than their size. So each XML part is also streamed through expat, counting elements
(never building them): cells per sheet and per row, shared strings, and everything in other parts.
"""

import zipfile
from io import BytesIO
from xml.parsers import expat

MAX_PARTS = 200
MAX_UNPACKED = 20 * 1024 * 1024  # all parts together, in bytes
# A full export (5,000 positions, every column) has about 550,000 cells and as many strings.
MAX_CELLS = 600_000
MAX_ROW_CELLS = 16_384  # Excel's own column limit
MAX_STRINGS = 200_000  # distinct texts: a full export repeats most of its units' and options' texts
MAX_OTHER_ELEMENTS = 150_000  # in any part that is neither a sheet nor the shared strings
_CHUNK = 64 * 1024

TOO_LARGE = (
    f"文件过大或已损坏：解压后超过 {MAX_UNPACKED // (1024 * 1024)} MB 或包含过多部件。"
    "请删除多余的工作表、图片和空行，另存为“Excel 工作簿 (.xlsx)”后再上传"
)


class Unsafe(Exception):
    """The archive would unpack to more than the limits allow."""


def check_archive(data: bytes) -> None:
    """Raise `Unsafe` for a zip over the limits; a file that is no zip raises `zipfile.BadZipFile`.

    Declared sizes are checked first (free); then every part is unpacked and counted, because a
    declared size is written by whoever made the file. zipfile stops a part at its declared size
    and then fails its checksum, so a part that lies comes out as a damaged file.
    """
    with zipfile.ZipFile(BytesIO(data)) as archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED:
            raise Unsafe
        unpacked = 0
        for part in parts:
            counter = _Counter() if part.filename.endswith((".xml", ".rels")) else None
            with archive.open(part) as stream:
                while chunk := stream.read(_CHUNK):
                    unpacked += len(chunk)
                    if unpacked > MAX_UNPACKED:
                        raise Unsafe
                    if counter is not None:
                        counter.feed(chunk)
            if counter is not None:
                counter.feed(b"", final=True)


class _Counter:
    """Counts one XML part's elements as expat streams them; raises Unsafe past a limit.

    A part is a sheet once a <sheetData> opens, the shared strings if its root is <sst>; element
    names are compared without their namespace prefix. Malformed XML raises expat.ExpatError,
    which the reader reports as a damaged file, as openpyxl's own parse would.
    """

    def __init__(self) -> None:
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.root: str | None = None
        self.sheet = False
        self.elements = self.cells = self.row_cells = self.strings = 0

    def feed(self, data: bytes, final: bool = False) -> None:
        self.parser.Parse(data, final)

    def start(self, name: str, _attributes: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if self.root is None:
            self.root = local
        self.elements += 1
        if local == "sheetData":
            self.sheet = True
        elif local == "row":
            self.row_cells = 0
        elif local == "c":
            self.cells += 1
            self.row_cells += 1
            if self.cells > MAX_CELLS or self.row_cells > MAX_ROW_CELLS:
                raise Unsafe
        elif local == "si":
            self.strings += 1
            if self.strings > MAX_STRINGS:
                raise Unsafe
        if not self.sheet and self.root != "sst" and self.elements > MAX_OTHER_ELEMENTS:
            raise Unsafe
        if self.elements > 4 * MAX_CELLS:  # a cell is at most row, c, is, t: anything beyond is padding
            raise Unsafe
        if self.root == "sst" and self.elements > 3 * MAX_STRINGS:  # si, t, and some rich-text runs
            raise Unsafe
