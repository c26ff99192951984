"""From a file to text: .txt/.md (any common encoding), .docx, .pdf with a text layer."""

from __future__ import annotations

import io
import re
from pathlib import PurePath

MAX_IMPORT_BYTES = 10 * 1024 * 1024


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
    return decode_text(content)


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
            for row in Table(block, document).rows:
                for cell in row.cells:
                    lines.extend(p.text for p in cell.paragraphs)
    # Word's paragraphs are explicit: a blank line between them keeps them apart.
    return "\n\n".join(lines)


def _pdf_text(content: bytes) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(content))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception as error:
        raise ImportProblem("Tệp PDF bị hỏng hoặc được bảo vệ, không đọc được.") from error
    if len(text.strip()) < 40:
        raise ImportProblem(
            "Tệp PDF không có lớp chữ (có lẽ là bản quét). Hãy dùng tệp PDF xuất từ Word, "
            "tệp .docx, hoặc dán nội dung văn bản."
        )
    return text
