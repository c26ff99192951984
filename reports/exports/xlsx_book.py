"""A workbook whose long tables are written straight into their sheet's XML.

XlsxWriter writes everything that gives a workbook its shape (formats, titles, column widths,
frozen panes, print settings, the headings, the footers), but it spends ~15 µs on every cell:
100,000 tasks × 11 columns took 16 s in XlsxWriter alone. The rows of a long table are written
here instead, as SpreadsheetML `<row>` elements with inline strings (what XlsxWriter itself
writes in constant-memory mode) into a temporary file, about 1 µs a cell; when the book closes,
they are spliced into the sheet XlsxWriter wrote, where their row numbers belong, and the
workbook is zipped again. Memory stays flat: the rows stream from disk to the zip.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from core.text import printable

EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - Excel's serial dates are naive
_ROW = re.compile(rb'<row r="(\d+)"')
# What `_text` must handle in a row of printable texts joined by NULs (the only printable
# white space is the space): a character XML escapes, a text that starts or ends with a space.
# Each found by a substring search in C (a regular expression took 9 µs a row).
_CARE = ("&", "<", ">", "\0 ", " \0")
CHUNK = 1 << 20


def _serial(value: dt.date | dt.datetime) -> float:
    """Excel's serial number of a date or a (naive, local) date and time."""
    if isinstance(value, dt.datetime):
        delta = value - EXCEL_EPOCH
        return delta.days + delta.seconds / 86400
    return float((value - EXCEL_EPOCH.date()).days)


def _text(value: str) -> str:
    text = value if value.isprintable() else printable(value)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text and (text[0].isspace() or text[-1].isspace()):
        return f'<is><t xml:space="preserve">{escaped}</t></is>'
    return f"<is><t>{escaped}</t></is>"


class Rows:
    """The rows of one table, from `first` (0-based, as XlsxWriter counts) down."""

    def __init__(self, sheet_index: int, first: int) -> None:
        self.sheet_index = sheet_index
        self.first = first
        self.next = first
        # Each format's cell opening, '<c s="3"' (by the format's id: formats live as long
        # as the book).
        self.heads: dict[int, str] = {}
        self.file: IO[bytes] = tempfile.TemporaryFile(  # noqa: SIM115 - closed by the book
            dir=settings.FILE_UPLOAD_TEMP_DIR or None
        )
        self.pending: list[str] = []  # rows not yet written to the file

    def _head(self, fmt: Any) -> str:
        head = self.heads[id(fmt)] = f'<c s="{0 if fmt is None else fmt._get_xf_index()}"'
        return head

    def flush(self) -> None:
        """Write the rows kept in memory to the file (a thousand rows at a time)."""
        self.file.write("".join(self.pending).encode())
        self.pending.clear()

    def write(self, cells: list[tuple[Any, Any]], *, height: float | None = None) -> int:
        """One row of (value, format) cells: a str, a number, a date or datetime, or None for
        an empty cell with its format. Returns the row's line."""
        line = self.next
        number = line + 1
        out = [
            f'<row r="{number}" ht="{height}" customHeight="1">'
            if height
            else f'<row r="{number}">'
        ]
        append = out.append
        heads = self.heads
        # The row's texts checked at once, in C: when none needs escaping, cleaning or its
        # spaces kept (the common case), each is written as it is.
        texts = [value for value, _ in cells if value.__class__ is str]
        plain = "".join(texts).isprintable()
        if plain:
            joined = "\0" + "\0".join(texts) + "\0"
            plain = not any(care in joined for care in _CARE)
        # Cells without their reference: SpreadsheetML places them one after another. A
        # hundred thousand rows of eleven cells: the common cases first, without calls.
        for value, fmt in cells:
            head = heads.get(id(fmt)) or self._head(fmt)
            if value is None or value == "":
                append(head + "/>")
            elif value.__class__ is str:
                if plain:
                    append(f'{head} t="inlineStr"><is><t>{value}</t></is></c>')
                else:
                    append(f'{head} t="inlineStr">{_text(value)}</c>')
            elif isinstance(value, str):  # a str subclass (a SafeString): always escaped
                append(f'{head} t="inlineStr">{_text(str(value))}</c>')
            elif isinstance(value, dt.date):
                append(f"{head}><v>{_serial(value)!r}</v></c>")
            else:
                append(f"{head}><v>{value}</v></c>")
        append("</row>")
        self.pending.append("".join(out))
        if len(self.pending) >= 1000:
            self.flush()
        self.next += 1
        return line


class Book:
    """An XlsxWriter workbook (`add_worksheet`, `add_format` … pass through to it) that can
    take long tables as `Rows`; `close()` writes the finished workbook to `target`."""

    def __init__(self, target: IO[bytes] | str | Path, options: dict[str, Any]) -> None:
        import xlsxwriter

        self.target = target
        self.scratch: IO[bytes] = tempfile.TemporaryFile(  # noqa: SIM115 - closed in close()
            dir=settings.FILE_UPLOAD_TEMP_DIR or None
        )
        self.workbook = xlsxwriter.Workbook(self.scratch, options)
        self.tables: list[Rows] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.workbook, name)

    def rows(self, worksheet: Any, first: int) -> Rows:
        """Rows of `worksheet` from line `first`; XlsxWriter must write nothing in between
        (it may write the lines before, and after the last of these)."""
        table = Rows(self.workbook.worksheets().index(worksheet), first)
        self.tables.append(table)
        return table

    def close(self) -> None:
        self.workbook.close()
        try:
            if self.tables:
                self._splice()
            else:
                self._copy()
        finally:
            self.scratch.close()
            for table in self.tables:
                table.file.close()

    def _copy(self) -> None:
        self.scratch.seek(0)
        if isinstance(self.target, str | Path):
            with open(self.target, "wb") as out:
                shutil.copyfileobj(self.scratch, out)
        else:
            shutil.copyfileobj(self.scratch, self.target)

    def _splice(self) -> None:
        by_part = {f"xl/worksheets/sheet{t.sheet_index + 1}.xml": t for t in self.tables}
        self.scratch.seek(0)
        with (
            zipfile.ZipFile(self.scratch) as source,
            zipfile.ZipFile(self.target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
        ):
            for info in source.infolist():
                data = source.read(info.filename)
                table = by_part.get(info.filename)
                entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                entry.compress_type = zipfile.ZIP_DEFLATED
                if table is None:
                    out.writestr(entry, data)
                    continue
                data = data.replace(b"<sheetData/>", b"<sheetData></sheetData>")
                at = _insertion_point(data, table.first)
                table.flush()
                with out.open(entry, "w", force_zip64=True) as part:
                    part.write(data[:at])
                    table.file.seek(0)
                    shutil.copyfileobj(table.file, part, CHUNK)
                    part.write(data[at:])


def _insertion_point(sheet: bytes, first: int) -> int:
    """Where rows from line `first` go: before the first row XlsxWriter wrote after them, or
    at the end of the sheet's data."""
    for match in _ROW.finditer(sheet):
        if int(match.group(1)) > first + 1:
            return match.start()
    return sheet.index(b"</sheetData>")
