"""Measure an uploaded .xlsx before openpyxl unpacks it: a few hundred KB of zip can hold a bomb.

An .xlsx is a zip of XML parts, and openpyxl unpacks and parses them whole: 450 KB of zip held 15
million blank rows, 596 KB one 600 MB shared string. So the archive is checked first, cheaply: the
number of parts, the sizes they declare and the sizes they really unpack to (read in small chunks
and counted, never held), each against a limit no real 岗位征集表 comes near (the template filled
with the maximum number of positions unpacks to a few MB).
"""

import zipfile
from io import BytesIO

MAX_PARTS = 200
MAX_UNPACKED = 20 * 1024 * 1024  # all parts together, in bytes
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
            with archive.open(part) as stream:
                while chunk := stream.read(_CHUNK):
                    unpacked += len(chunk)
                    if unpacked > MAX_UNPACKED:
                        raise Unsafe
