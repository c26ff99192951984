"""From text to a notice: its header, sections, items, tables and directions
(docs/domain.md §8). The header is read by `header`, each sentence's assignee by `clauses`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from core.text import fold
from units.models import Unit

from ..deadlines import Deadline, DeadlineError, find_deadline, parse_deadline
from . import clauses
from .header import _STOP_BODY, _header
from .lines import _BULLET, _LETTERED, _NUMBERED, _ROMAN_HEADING, normalise
from .model import ParsedNotice, ParsedTask, UnitIndex, UnitMention
from .reading import ImportProblem

# --- the body: sections, items, sentences, clauses ----------------------------------------

_SECTION_UNIT = re.compile(r"^(?:Đối với|Riêng|Giao)\s+", re.I)
# A line that opens the directions: "… có ý kiến như sau:", "… chỉ đạo một số nội dung sau:".
_LEAD_IN = re.compile(
    r"(?:như sau|sau đây|nội dung sau|việc sau|nhiệm vụ sau|cụ thể|có ý kiến(?: chỉ đạo)?"
    r"|kết luận|chỉ đạo|yêu cầu|đề nghị|giao)\s*:\s*$",
    re.I,
)
# A list of duties inside one sentence: "… các nhiệm vụ trọng tâm …, bao gồm: A; B; C."
_DUTY_LIST = re.compile(r"nhiệm vụ[^:]{0,200}?(?:bao gồm|gồm|như sau|sau)\s*:\s*(?=\S)", re.I)
# What a heading after "Đối với X" may add before its items: "X chủ trì tham mưu:".
_HEADING_TAIL = re.compile(
    r"^\s*(?:\(.*\))?\s*(?:chủ trì(?:\s+tham mưu)?|thực hiện|tham mưu|triển khai)?\s*[:.]?\s*$"
)
# Lines that are never directions: the addressee, citations, enclosures, portal chrome.
_NOT_BODY = re.compile(
    r"^(?:Kính gửi|Nơi nhận|Đính kèm|\(|Xem chi tiết|Tin tức liên quan|Đánh giá$|Ngày đăng"
    r"|Cập nhật lúc|Lượt xem|Insert title)",
    re.I,
)


@dataclass
class _Section:
    ref: str = ""
    level: int = 0
    leads: list[UnitMention] = field(default_factory=list)
    deadline: Deadline | None = None
    bullet_leads: list[UnitMention] = field(default_factory=list)  # "- X chủ trì tham mưu:"


class _Reader:
    """Reads the body line by line, keeping the section, the item and the open task."""

    def __init__(self, notice: ParsedNotice, index: UnitIndex, day: date) -> None:
        self.notice = notice
        self.index = index
        self.day = day
        self.section = _Section()
        self.parent_ref = ""
        self.operative = False
        self.sectioned = False
        self.pending: list[tuple[int, str]] = []
        self.table: dict[str, int] | None = None  # a task table's columns, once its header is read

    # -- units --

    def mention(self, mention: clauses.Mention) -> UnitMention:
        unit = self.index.starting(
            mention.text
        )  # the whole name, or a registered one it starts with
        return UnitMention(mention.text, unit)

    def heading_unit(self, content: str) -> list[UnitMention] | None:
        """The unit(s) a heading names alone ("Đối với Phòng X", "Trung tâm Y", "Z chủ trì
        tham mưu:"), or None when the line says more."""
        named = _SECTION_UNIT.sub("", content) if _SECTION_UNIT.match(content) else content
        first = named.split(",")[0].strip(" :.")
        unit = self.index.exactly(first)
        if unit is not None and (
            _SECTION_UNIT.match(content)
            or (len(content) < 100 and not clauses.has_predicate(named))
        ):
            return [UnitMention(first, unit)]
        found = clauses.unit_at(named, 0)
        if found is None or clauses.is_group(found):
            return None
        if not _HEADING_TAIL.match(named[found.end :]):
            return None
        if _SECTION_UNIT.match(content):
            # "Đối với Phòng X, Chi nhánh Y": the heading leads with X, as written; a name the
            # registry does not hold exactly is shown for the office to pick, never guessed.
            return [UnitMention(first, self.index.exactly(first))]
        return [self.mention(found)]

    # -- tasks --

    def add(
        self,
        ref: str,
        text: str,
        leads: list[UnitMention],
        supports: list[UnitMention],
        first: int,
        last: int,
        deadline: Deadline | None = None,
    ) -> None:
        text = " ".join(text.split()).strip()
        if not text:
            return
        names = {m.name for m in leads}
        supports = [s for s in supports if s.name not in names]
        found = find_deadline(text, reference=self.day)
        self.notice.tasks.append(
            ParsedTask(
                ref, text, leads, supports, found or deadline or self.section.deadline, first, last
            )
        )

    def extend_last(self, text: str, last: int) -> None:
        """A sentence that adds to the task before it ("Yêu cầu báo cáo trước ngày …")."""
        task = self.notice.tasks[-1]
        task.text = f"{task.text} {' '.join(text.split())}"
        task.last_line = last
        found = find_deadline(task.text, reference=self.day)
        if found is not None:
            task.deadline = found

    def item(self, ref: str, content: str, number: int, default: list[UnitMention]) -> None:
        """A numbered, lettered or bulleted item: one task, or several if it holds several
        directions with their own assignees."""
        emitted = self.paragraph(content, number, ref=ref, default=default)
        if emitted:
            return
        if self.sectioned and not default:
            return  # the general part of a document laid out by unit: no assignee, no task
        if default or self.operative or ref:
            if self.is_heading(content) or content.rstrip().endswith(":"):
                return
            chaired = clauses.chairing(content)
            leads = [self.mention(chaired)] if chaired else default
            self.add(
                ref,
                content,
                leads,
                [self.mention(m) for m in clauses.supports_in(content, [])],
                number,
                number,
            )

    def paragraph(
        self,
        content: str,
        number: int,
        *,
        ref: str = "",
        default: list[UnitMention] | None = None,
    ) -> int:
        """The directions of a paragraph; returns how many tasks it gave."""
        emitted = 0
        duty = _DUTY_LIST.search(content)
        concluding = (
            re.search(r"kết luận|chỉ đạo|yêu cầu|đề nghị|giao", content[: duty.start()])
            if duty
            else None
        )
        if duty and not default and not self.sectioned and (self.operative or concluding):
            by_when = find_deadline(content[: duty.end()], reference=self.day)
            self.add(ref, content[duty.end() :], [], [], number, number, deadline=by_when)
            return 1
        # "… đề nghị: A làm …; B làm …": the directions follow the colon.
        listed = bool(re.search(r"(?:đề nghị|yêu cầu|kết luận|chỉ đạo|giao)\s*:", content, re.I))
        for _, sentence in clauses.sentences(content):
            for text, found in clauses.clauses(
                sentence,
                operative=self.allows_subjects() or (listed and not self.sectioned),
                giao_only=self.giao_only(default or []),
            ):
                if found is not None and default and found.by_subject:
                    found = None  # inside a unit's section its unit leads, unless "X chủ trì"
                if found is None:
                    if emitted:
                        self.extend_last(text, number)
                    continue
                leads = [self.mention(m) for m in found.leads]
                supports = [self.mention(m) for m in found.supports]
                self.add(ref, text[found.text_start :], leads, supports, number, number)
                emitted += 1
        return emitted

    def table_row(self, cells: list[str], number: int) -> None:
        """One row of a task table: its content, lead, supports and time from their columns."""
        columns = self.table or {}

        def cell(name: str) -> str:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        text = cell("text")
        if not text or text.isupper():
            return  # an empty row, or a group heading inside the table
        ref = cell("ref") if re.fullmatch(r"[\dIVXivx.]{1,8}", cell("ref")) else ""
        leads = self.written_units(cell("lead"))
        supports = self.written_units(cell("support"))
        deadline = find_deadline(cell("deadline"), reference=self.day)
        if deadline is None and cell("deadline"):
            try:
                deadline = parse_deadline(cell("deadline"), reference=self.day)
            except DeadlineError:
                deadline = None
            if deadline is not None and deadline.day is None:
                deadline = None
        self.add(ref.rstrip("."), text, leads, supports, number, number, deadline=deadline)

    def written_units(self, text: str) -> list[UnitMention]:
        """The units a table's cell names, as recognised or else as written, one per piece."""
        found: list[UnitMention] = []
        for piece in re.split(r"\s*;\s*|\n", text):
            piece = piece.strip(" .,")
            if not piece:
                continue
            listed, end = clauses.unit_list(piece, 0)
            if listed and not piece[end:].strip(" .,"):
                found += [self.mention(m) for m in listed]
            else:
                found.append(UnitMention(piece, self.index.exactly(piece)))
        return found

    def allows_subjects(self) -> bool:
        return self.operative and not self.sectioned

    def giao_only(self, default: list[UnitMention]) -> bool:
        # A document laid out by unit sections gives its directions there; elsewhere only an
        # explicit "Giao X" assigns (the general part exhorts everyone).
        return self.sectioned and not default

    @staticmethod
    def is_heading(content: str) -> bool:
        words = content.split()
        return (
            len(words) <= 8
            and not content.rstrip().endswith((".", ";"))
            and not (clauses.has_predicate(content))
        )


def _table_cells(line: str) -> list[str] | None:
    """The cells of a table's row written as "| a | b | c |" (three cells or more)."""
    if line.count("|") < 2:
        return None
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return cells if len(cells) >= 3 else None


def _table_header(cells: list[str]) -> dict[str, int] | None:
    """Which column holds what, when `cells` is the header of a task table ("STT | Nội dung |
    Đơn vị chủ trì | Đơn vị phối hợp | Thời gian hoàn thành", in any order and wording)."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = fold(cell)
        if "phoi hop" in key:
            columns.setdefault("support", index)
        elif "chu tri" in key or key.startswith(("don vi", "co quan")):
            columns.setdefault("lead", index)
        elif any(word in key for word in ("thoi gian", "thoi han", "han hoan thanh", "tien do")):
            columns.setdefault("deadline", index)
        elif any(word in key for word in ("noi dung", "nhiem vu", "cong viec")):
            columns.setdefault("text", index)
        elif key in ("stt", "tt", "so tt"):
            columns.setdefault("ref", index)
    return columns if {"text", "lead"} <= set(columns) else None


def _find_sections(lines: list[str], start: int, reader: _Reader) -> bool:
    """Whether the document is laid out by unit sections ("3.1. Đối với Phòng X")."""
    for line in lines[start:]:
        heading = _NUMBERED.match(line) or _ROMAN_HEADING.match(line)
        if heading and not _BULLET.match(line):
            rest = line[heading.end() :].strip()
            if (
                _SECTION_UNIT.match(rest)
                and not rest.lower().startswith("giao")
                and reader.heading_unit(rest)
            ):
                return True
    return False


def parse_notice(text: str, *, reference: date | None = None) -> ParsedNotice:
    """Read a text that assigns tasks: its header and every direction in it.

    Never refuses a text: what could not be read is listed in `problems` for the preview.
    Raises ImportProblem only for an empty text.
    """
    if not text or not text.strip():
        raise ImportProblem("Văn bản rỗng: không có nội dung để đọc.")
    notice = ParsedNotice(lines=normalise(text)[:20000])
    index = UnitIndex(list(Unit.objects.all()))
    body_start = _header(notice, index)
    day = notice.issued_on or reference or date.today()  # noqa: DTZ011 - only a fallback for phrases
    reader = _Reader(notice, index, day)
    with clauses.registry(index.prefix_length):
        _read_body(notice, reader, body_start, day)
    _say_problems(notice)
    return notice


def _read_body(notice: ParsedNotice, reader: _Reader, body_start: int, day: date) -> None:
    reader.sectioned = _find_sections(notice.lines, body_start, reader)
    title_line = notice.title_line

    def flush() -> None:
        if reader.pending and reader.section.leads:
            joined = " ".join(t for _, t in reader.pending)
            if not reader.paragraph(
                joined, reader.pending[0][0], ref=reader.section.ref, default=reader.section.leads
            ):
                reader.add(
                    reader.section.ref,
                    joined,
                    reader.section.leads,
                    [reader.mention(m) for m in clauses.supports_in(joined, [])],
                    reader.pending[0][0],
                    reader.pending[-1][0],
                )
            else:
                notice.tasks[-1].first_line = reader.pending[0][0]
                notice.tasks[-1].last_line = reader.pending[-1][0]
        reader.pending.clear()

    for number in range(body_start, len(notice.lines)):
        line = notice.lines[number].strip()
        if not line or number == title_line:
            continue
        if _STOP_BODY.match(line):
            break
        cells = _table_cells(line)
        if cells is not None:
            flush()
            if columns := _table_header(cells):
                reader.table = columns
                reader.operative = True
            elif reader.table is not None:
                reader.table_row(cells, number)
            continue
        if _NOT_BODY.match(line) or line.isupper():
            continue
        if _LEAD_IN.search(line) and not _NUMBERED.match(line) and not _BULLET.match(line):
            flush()
            reader.operative = True
            if not re.match(r"(?:Giao|Đề nghị|Yêu cầu)\b", line):
                continue
        numbered = _NUMBERED.match(line) or _ROMAN_HEADING.match(line)
        lettered = _LETTERED.match(line)
        bullet = _BULLET.match(line)
        if numbered and not bullet and not lettered:
            flush()
            ref = numbered.group(1)
            level = ref.count(".") + 1 if not _ROMAN_HEADING.match(line) else 0
            content = line[numbered.end() :].strip()
            reader.parent_ref = ref
            reader.operative = True
            units = reader.heading_unit(content)
            if units is not None:
                reader.section = _Section(ref, level, units, find_deadline(content, reference=day))
                continue
            if reader.section.leads and level <= reader.section.level:
                reader.section = _Section()
            reader.section.bullet_leads = []
            if reader.is_heading(content) or _LEAD_IN.search(content):
                if not reader.section.leads:
                    reader.section = _Section(ref, level)
                continue
            colon = re.match(r"([^:]{3,120}):\s*(\S.*)$", content)
            if colon and not reader.section.leads:
                named = clauses.unit_at(colon.group(1), 0)
                if named is not None and named.end >= len(colon.group(1).rstrip()) - 1:
                    # "3. Phòng X: Xây dựng kế hoạch …"
                    leads = [reader.mention(named)]
                    reader.item(ref, colon.group(2), number, leads)
                    continue
            reader.item(ref, content, number, reader.section.leads)
            continue
        if lettered:
            flush()
            letter = lettered.group(1).lower()
            ref = f"{reader.parent_ref}.{letter}" if reader.parent_ref else letter
            content = line[lettered.end() :].strip()
            reader.item(ref, content, number, reader.section.bullet_leads or reader.section.leads)
            continue
        if bullet:
            flush()
            content = line[bullet.end() :].strip()
            units = reader.heading_unit(content) if content.rstrip().endswith(":") else None
            if units is not None:
                reader.section.bullet_leads = units
                reader.operative = True
                continue
            leads = reader.section.bullet_leads or reader.section.leads
            if leads or reader.operative:
                reader.item(reader.section.ref or reader.parent_ref, content, number, leads)
            continue
        if reader.section.leads:
            reader.pending.append((number, line))
            continue
        reader.paragraph(line, number, ref=reader.parent_ref if reader.operative else "")
    flush()


def _say_problems(notice: ParsedNotice) -> None:
    if not notice.number:
        notice.problems.append("Không thấy số, ký hiệu của văn bản: hãy nhập ở phần đầu.")
    if notice.issued_on is None:
        notice.problems.append("Không thấy ngày ban hành: hãy nhập ở phần đầu.")
    if not notice.tasks:
        notice.problems.append(
            "Không thấy nhiệm vụ nào giao cho đơn vị: hãy thêm dòng và nhập tay."
        )
    elif missing := sum(1 for t in notice.tasks if not t.leads):
        notice.problems.append(f"{missing} nhiệm vụ chưa rõ đơn vị chủ trì: hãy chọn.")
