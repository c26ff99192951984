"""A received text as lines: Markdown, page numbers and wrapped PDF lines undone."""

from __future__ import annotations

import re
import unicodedata

_MARKDOWN = re.compile(r"^\s*#{1,6}\s*|\*\*|__|(?<!\w)\*(?!\s)|(?<=\S)\*(?!\w)")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:-\s*)?\d{1,3}(?:\s*-)?\s*$|^\s*Trang\s+\d+(?:\s*/\s*\d+)?\s*$", re.I
)
_BULLET = re.compile(r"^\s*[-–•+]\s+")
# "3.1." or "3.1" or "2." or "2)": never a year at the start of a wrapped line ("2023 tại …").
_NUMBERED = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})+|\d{1,2}(?=[.)]))[.)]?\s+(?=\S)")
_ROMAN_HEADING = re.compile(r"^\s*([IVX]{1,4})\.\s+")
_LETTERED = re.compile(r"^\s*([a-zđ])\)\s+", re.I)


_LANDMARK = re.compile(
    r"^(?:Số\s*[:.]|Nơi nhận|Trên đây|Căn cứ|Kính gửi"
    r"|Ngày\s+\d{1,2}\s+tháng|[^,\d]{2,60},\s*ngày\s+\d)",
    re.I,
)
_TERMINAL = '.:;!?”"'


_CONNECTORS = {
    "với",
    "và",
    "của",
    "các",
    "cho",
    "về",
    "tại",
    "trong",
    "theo",
    "để",
    "là",
    "đến",
    "từ",
    "hoặc",
    "được",
    "có",
    "những",
    "phối",
    "hợp",
    "chủ",
    "trì",
    "giao",
}


def _is_caption(line: str) -> bool:
    """An upper-case line of the layout ("THÔNG BÁO", "PHÓ CHỦ TỊCH"), not a wrapped "TTHC."."""
    return line.isupper() and len(line.split()) >= 2 and not line.endswith(".")


def _starts_block(line: str) -> bool:
    return bool(
        line.startswith("|")
        or _BULLET.match(line)
        or _NUMBERED.match(line)
        or _LETTERED.match(line)
        or _ROMAN_HEADING.match(line)
        or _LANDMARK.match(line)
        or _is_caption(line)
    )


_DOC_WORDS = (
    r"Công văn|Thông báo|Kế hoạch|Quyết định|Chỉ thị|Nghị quyết|Hướng dẫn|Văn bản|ý kiến"
    r"|chỉ đạo|Kết luận"
)


_PORTAL_LINE = re.compile(
    r"(?:Cập nhật|Ngày đăng|Đăng lúc|Lượt xem|Ngày cập nhật"
    r"|(?:Sáng|Chiều|Tối|Trưa)\s+(?:ngày\s+)?\d{1,2}\s*/)",
    re.I,
)


def _closes_block(line: str, following: str) -> bool:
    """Whether `line` cannot be continued by `following` although it lacks a full stop."""
    if re.match(r"Kính gửi\b", line) or line.endswith("|"):
        return True  # the addressee is one line, and so is a table's row
    if re.match(r"(?:Thực hiện\s+(?:" + _DOC_WORDS + r")|Kính gửi|Căn cứ)\b", following):
        return True  # a new sentence of the letter starts: "Thực hiện Công văn số …"
    if _PORTAL_LINE.match(following) or _PORTAL_LINE.match(line):
        return True  # a portal's headline, date stamp and lede are lines of their own
    if line[-1] in _TERMINAL or _is_caption(line) or _LANDMARK.match(line):
        return True
    # A short numbered heading ("3.7. Đối với UBND xã Sơn Tây") is followed by its text, but
    # "1. Giao Phòng X chủ trì, phối hợp với" goes on in the next line.
    # A short tail without a full stop ("Hương Sơn - Đức Thọ") is the heading's wrapped end.
    last_word = line.split()[-1].lower()
    wrapped_tail = len(following) < 50 and following[-1] not in _TERMINAL
    return (
        bool(_NUMBERED.match(line))
        and len(line) < 160
        and following[:1].isupper()
        and last_word not in _CONNECTORS
        and not wrapped_tail
    )


def normalise(text: str) -> list[str]:
    """Lines of the notice, cleaned of Markdown, page numbers and PDF line breaks."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u00a0", " ").replace("\t", " ")
    lines: list[str] = []
    for raw in text.split("\n"):
        line = _MARKDOWN.sub("", raw).strip().strip("*_ ").strip()
        if _PAGE_NUMBER.match(line):
            continue
        if not line:
            if lines and lines[-1]:
                lines.append("")
            continue
        previous = lines[-1] if lines else ""
        # A line cut in the middle of a sentence (text copied from a PDF) joins the one before.
        if previous and not _starts_block(line) and not _closes_block(previous, line):
            lines[-1] = f"{previous} {line}"
            continue
        # Across a page break (a blank line left by a page number) only a lowercase start joins.
        if not previous and len(lines) >= 2 and lines[-2] and line[0].islower():
            before = lines[-2]
            if not _starts_block(line) and not _closes_block(before, line):
                lines.pop()
                lines[-1] = f"{before} {line}"
                continue
        lines.append(line)
    return lines
