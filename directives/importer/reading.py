"""From a file to text: .txt/.md (any common encoding), .docx, .pdf with a text layer."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath
from typing import Any

MAX_IMPORT_BYTES = 10 * 1024 * 1024
# What a Word file may hold once inflated, checked from its directory before anything is read:
# a notice's text is a few hundred KB; a small file that inflates past this is a zip bomb.
MAX_INFLATED_BYTES = 40 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
# The text the preview shows: about 400 pages of a notice.
MAX_TEXT_CHARS = 1_000_000
MAX_PDF_PAGES = 300


class ImportProblem(ValueError):
    """The file or text cannot be read as a notice; the message is for the office."""


def read_file(name: str, content: bytes) -> str:
    """The text of an uploaded notice, or ImportProblem saying why there is none."""
    if not content:
        raise ImportProblem("Tệp rỗng: không có nội dung để đọc.")
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportProblem(
            f"Tệp quá lớn ({len(content) // (1024 * 1024)} MB); thông báo kết luận thường dưới "
            f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB. Hãy tải lên tệp văn bản, không kèm ảnh quét."
        )
    suffix = PurePath(name).suffix.lower()
    if content.startswith(b"%PDF") or suffix == ".pdf":
        return _pdf_text(content)
    if content.startswith(b"PK\x03\x04") or suffix == ".docx":
        return _docx_text(content)
    if suffix == ".doc" or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportProblem(
            "Tệp .doc (Word 97-2003) chưa đọc được; hãy lưu lại thành .docx hoặc PDF."
        )
    return _bounded(decode_text(content))


def _bounded(text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise ImportProblem(
            f"Văn bản quá dài ({len(text):,} ký tự; tối đa {MAX_TEXT_CHARS:,}).".replace(",", ".")
            + " Hãy tải lên riêng thông báo kết luận, không kèm phụ lục dài."
        )
    return text


def _check_zip(content: bytes) -> None:
    """Refuse a Word file whose inflated size or entry count is out of proportion, before
    inflating any of it."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ImportProblem("Tệp Word bị hỏng hoặc không phải tệp .docx.") from error
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ImportProblem(
            f"Tệp Word có quá nhiều thành phần ({len(entries)}); không đọc để giữ an toàn."
        )
    inflated = sum(entry.file_size for entry in entries)
    if inflated > MAX_INFLATED_BYTES:
        raise ImportProblem(
            f"Tệp Word khi giải nén quá lớn ({inflated // (1024 * 1024)} MB; tối đa "
            f"{MAX_INFLATED_BYTES // (1024 * 1024)} MB); không đọc để giữ an toàn. "
            "Hãy lưu lại tệp chỉ gồm nội dung thông báo."
        )


def decode_text(content: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-16" and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        if "\x00" not in text:
            return text
    try:
        text = content.decode("cp1258")  # Windows Vietnamese
    except UnicodeDecodeError:
        text = ""
    if text and re.search(r"[ăâđêôơưĂÂĐÊÔƠƯ]", text) and "\x00" not in text:
        return text
    raise ImportProblem(
        "Không đọc được bảng mã của tệp (không phải UTF-8 hay Windows-1258). "
        "Hãy lưu tệp dưới dạng UTF-8, .docx hoặc PDF rồi tải lên lại."
    )


def _docx_text(content: bytes) -> str:
    _check_zip(content)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(content))
    except Exception as error:
        raise ImportProblem("Tệp Word bị hỏng hoặc không phải tệp .docx.") from error
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            table = Table(block, document)
            if len(table.columns) >= 3:
                # A table of tasks: one line a row, its cells apart ("| 1 | … | Phòng X |").
                for row in table.rows:
                    cells = _cell_texts(row.cells)
                    lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
            else:
                for row in table.rows:
                    for cell in row.cells:
                        lines.extend(p.text for p in cell.paragraphs)
    # Word's paragraphs are explicit: a blank line between them keeps them apart.
    return _bounded("\n\n".join(lines))


def _cell_texts(cells: Any) -> list[str]:
    """A row's cells as text, a merged cell once."""
    seen: list[Any] = []
    for cell in cells:
        if not any(cell._tc is other._tc for other in seen):
            seen.append(cell)
    return [" ".join(" ".join(p.text for p in cell.paragraphs).split()) for cell in seen]


def _pdf_text(content: bytes) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(content))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ImportProblem(
                f"Tệp PDF có {len(reader.pages)} trang (tối đa {MAX_PDF_PAGES}); hãy tải lên "
                "riêng thông báo kết luận."
            )
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        text = _bounded(text)
    except ImportProblem:
        raise
    except Exception as error:
        raise ImportProblem("Tệp PDF bị hỏng hoặc được bảo vệ, không đọc được.") from error
    if len(text.strip()) < 40:
        raise ImportProblem(
            "Tệp PDF không có lớp chữ (có lẽ là bản quét). Hãy dùng tệp PDF xuất từ Word, "
            "tệp .docx, hoặc dán nội dung văn bản."
        )
    return text
