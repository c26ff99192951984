"""From text to a notice: its header, sections, tasks, units and deadlines (docs/domain.md)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from core.text import name_key
from units.models import Unit

from ..deadlines import Deadline, find_deadline
from .reading import ImportProblem

# --- normalising --------------------------------------------------------------------------

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
    r"^(?:Số\s*[:.]|Nơi nhận|Trên đây|Căn cứ|Ngày\s+\d{1,2}\s+tháng|[^,\d]{2,60},\s*ngày\s+\d)",
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
        _BULLET.match(line)
        or _NUMBERED.match(line)
        or _LETTERED.match(line)
        or _ROMAN_HEADING.match(line)
        or _LANDMARK.match(line)
        or _is_caption(line)
    )


def _closes_block(line: str, following: str) -> bool:
    """Whether `line` cannot be continued by `following` although it lacks a full stop."""
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


# --- units in running text ----------------------------------------------------------------


@dataclass(frozen=True)
class UnitMention:
    text: str
    unit: Unit | None

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else self.text


class UnitIndex:
    """The registry's names as keys, to find the unit a phrase starts with."""

    def __init__(self, units: list[Unit]) -> None:
        self.keys: list[tuple[str, Unit]] = sorted(
            ((key, unit) for unit in units for key in unit.name_keys() if key),
            key=lambda item: -len(item[0]),
        )

    def exactly(self, phrase: str) -> Unit | None:
        key = name_key(phrase)
        return next((unit for candidate, unit in self.keys if key == candidate), None)

    def starting(self, phrase: str) -> Unit | None:
        key = name_key(phrase)
        for candidate, unit in self.keys:
            if key == candidate or key.startswith(candidate + " "):
                return unit
        return None

    def anywhere(self, phrase: str) -> list[Unit]:
        key = f" {name_key(phrase)} "
        found: list[Unit] = []
        for candidate, unit in self.keys:
            if f" {candidate} " in key and unit not in found:
                key = key.replace(f" {candidate} ", " ¦ ")
                found.append(unit)
        return found


_UNIT_WORDS = (
    r"(?:Phòng|phòng|Ban|Sở|Trung tâm|Chi cục|Chi nhánh|Văn phòng|UBND|Ủy ban nhân dân"
    r"|Uỷ ban nhân dân|Công an|Thanh tra|Hội|Đoàn|Đội|Hạt|Kho bạc|Bảo hiểm|Ngân hàng|Trường"
    r"|Bệnh viện|Cục|Tổng cục)"
)
_VERB_STOP = re.compile(
    r"\s+(?:tổ chức|tìm|thực hiện|triển khai|tập trung|hoàn thành|hoàn thiện|báo cáo|xây dựng|"
    r"rà soát|tham mưu|chuẩn bị|kiểm tra|đẩy mạnh|giải quyết|theo dõi|đôn đốc|hướng dẫn|chỉ đạo|"
    r"trình|xử lý|đề xuất|nghiên cứu|ban hành|cập nhật|quản lý|thẩm định|giải ngân|khắc phục)\b.*$"
)
_COOPERATION = re.compile(
    r"(?:phối hợp(?:\s+chặt\s+chẽ)?(?:\s+với)?|cùng với|làm việc với)\s+", re.I
)


def _unit_list(segment: str, index: UnitIndex) -> list[UnitMention]:
    """Units listed at the start of `segment`, separated by commas, stopping at other words."""
    colon = segment.find(":")
    if 0 <= colon <= 45 and not index.starting(segment[:colon]):
        segment = segment[colon + 1 :]  # "các phòng, đơn vị: A, B, C"
    mentions: list[UnitMention] = []
    for piece in re.split(r"[,;]", segment):
        piece = piece.strip().removeprefix("và ").removeprefix("với ").strip()
        if not piece:
            continue
        unit = index.starting(piece)
        if unit is not None:
            mentions.append(UnitMention(piece, unit))
            if (
                index.starting(piece)
                and len(name_key(piece).split()) > len(_longest_key(index, unit).split()) + 1
            ):
                break  # the piece runs on into the rest of the sentence
            continue
        if re.match(_UNIT_WORDS + r"\s+\S", piece) and not re.match(r"(?i)các\s", piece):
            written = _VERB_STOP.sub("", piece).strip()
            mentions.append(UnitMention(" ".join(written.split()[:12]), None))
            if written != piece:
                break
            continue
        break
    return mentions


def _longest_key(index: UnitIndex, unit: Unit) -> str:
    return max((k for k, u in index.keys if u == unit), key=len)


# --- the notice ---------------------------------------------------------------------------


@dataclass
class ParsedTask:
    ref: str
    text: str
    lead: UnitMention | None
    supports: list[UnitMention]
    deadline: Deadline | None
    first_line: int
    last_line: int

    @property
    def recurring(self) -> bool:
        return self.deadline is None

    def as_form_row(self) -> dict[str, str]:
        """The task as a row of the preview's form: names and phrases as the office reads them."""
        deadline = ""
        if self.deadline and self.deadline.day:
            deadline = self.deadline.text or f"{self.deadline.day:%d/%m/%Y}"
        return {
            "ref": self.ref,
            "text": self.text,
            "lead_unit": self.lead.name if self.lead else "",
            "support_units": "; ".join(m.name for m in self.supports),
            "deadline": deadline,
            "source_lines": f"{self.first_line}-{self.last_line}",
        }


@dataclass
class ParsedNotice:
    lines: list[str]
    number: str = ""
    issuer: str = ""
    place: str = ""
    issued_on: date | None = None
    title: str = ""
    meeting_on: date | None = None
    chair: str = ""
    chair_title: str = ""
    signer: str = ""
    signer_title: str = ""
    recipients: str = ""
    tasks: list[ParsedTask] = field(default_factory=list)

    def header(self) -> dict[str, object]:
        """The notice's header as the fields of `services.NOTICE_FIELDS`."""
        return {
            "number": self.number,
            "issuer": self.issuer,
            "place": self.place,
            "issued_on": self.issued_on,
            "title": self.title,
            "meeting_on": self.meeting_on,
            "chair": self.chair,
            "chair_title": self.chair_title,
            "signer": self.signer,
            "signer_title": self.signer_title,
            "recipients": self.recipients,
        }

    def as_json(self) -> dict[str, object]:
        return {
            "number": self.number,
            "issuer": self.issuer,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "signer": self.signer,
            "title": self.title,
            "tasks": [
                {
                    "ref": task.ref,
                    "text": task.text,
                    "lead_units": [task.lead.name] if task.lead else [],
                    "support_units": [m.name for m in task.supports],
                    "deadline": task.deadline.day.isoformat()
                    if task.deadline and task.deadline.day
                    else None,
                    "recurring": task.recurring,
                }
                for task in self.tasks
            ],
        }


_DATE_LINE = re.compile(
    r"^(?P<place>[^,\d]{2,60}),\s*ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})",
    re.I,
)
_NUMBER = re.compile(r"\bSố\s*[:.]?\s*(?P<number>\d+[\w/.\-–Đđ]*[A-Za-zĐđ][\w/.\-–Đđ]*)", re.I)
_MEETING = re.compile(r"\bNgày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")
_CHAIR = re.compile(
    r"[Đđ]ồng chí\s+(?P<name>[A-ZĐÀ-Ỹ][^\s,]*(?:\s+[A-ZĐÀ-Ỹ][^\s,]*){1,4}),"
    r"\s*(?P<title>[^.;]{3,120}?)\s+chủ trì"
)
_SIGN_TITLES = re.compile(r"^(?:TM\.|KT\.|TL\.|TUQ\.|Q\.)?\s*[A-ZĐÀ-Ỹ .\-]{4,}$")
_STOP_BODY = re.compile(r"^(?:Trên đây|Nơi nhận)", re.I)
_SECTION_UNIT = re.compile(r"^(?:Đối với|Riêng)\s+", re.I)
_ASSIGNING = re.compile(r"\b(?:chủ trì|giao|thực hiện|tham mưu|hoàn thành)\b", re.I)
_INLINE = re.compile(r"(?:^|[.;:]\s*|\s)(?:Giao|giao cho|Giao cho)\s+(?=" + _UNIT_WORDS[3:-1] + ")")
_WRITTEN_NAME = r"\s+[^,;]{2,80}?(?=\s+(?:chủ trì|thực hiện|tham mưu|triển khai|phối hợp)|,)"
_LEAD_CHAIRS = re.compile(
    r"(?P<unit>" + _UNIT_WORDS + r"[^,;.]{2,120}?)\s+(?:chủ trì|là cơ quan chủ trì)"
)


def _header(notice: ParsedNotice, index: UnitIndex) -> int:
    """Fill the header; returns the line where the body starts."""
    lines = notice.lines
    body_start = 0
    for number, line in enumerate(lines[:40]):
        if not notice.number and (match := _NUMBER.search(line)):
            notice.number = match.group("number").rstrip(".,;")
        if notice.issued_on is None and (match := _DATE_LINE.match(line)):
            try:
                notice.issued_on = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                notice.issued_on = None
            notice.place = match["place"].strip()
        if re.fullmatch(r"THÔNG BÁO", line.strip(), re.I):
            body_start = number + 1
            following = next((c for c in lines[number + 1 : number + 4] if c), "")
            if following and not _starts_block(following):
                notice.title = following
                body_start = lines.index(following, number + 1) + 1
            break
    upper_lines = [
        ln
        for ln in lines[:8]
        if ln.isupper() and "CỘNG HÒA" not in ln and "ĐỘC LẬP" not in ln.upper()[:8]
    ]
    issuer_lines = [
        ln for ln in upper_lines if re.search(r"ỦY BAN|UỶ BAN|UBND|HUYỆN|TỈNH|XÃ|THÀNH PHỐ|SỞ", ln)
    ]
    if issuer_lines:
        notice.issuer = " ".join(issuer_lines[:2]).title().replace("Ủy Ban Nhân Dân", "UBND")
    elif notice.place:
        level = "huyện" if re.search(r"\bhuyện\b", " ".join(lines), re.I) else ""
        notice.issuer = f"UBND {level} {notice.place}".replace("  ", " ")
    body = " ".join(lines[body_start : body_start + 6])
    if match := _MEETING.search(body):
        try:
            notice.meeting_on = date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            notice.meeting_on = None
    if match := _CHAIR.search(body):
        notice.chair = match["name"].strip()
        notice.chair_title = " ".join(match["title"].split())
    _signature(notice)
    return body_start


def _signature(notice: ParsedNotice) -> None:
    lines = notice.lines
    try:
        start = next(i for i, ln in enumerate(lines) if re.match(r"^Nơi nhận\s*:?", ln, re.I))
    except StopIteration:
        start = max(0, len(lines) - 12)
    recipients: list[str] = []
    titles: list[str] = []
    name = ""
    for line in lines[start + 1 :]:
        if _BULLET.match(line) and not titles:
            recipients.append(line)
        elif line.isupper() and _SIGN_TITLES.match(line):
            titles.append(line)
        elif titles and line and not name and len(line.split()) <= 6:
            name = line
    notice.recipients = "\n".join(recipients)
    notice.signer_title = "\n".join(titles)
    notice.signer = name


def _clean_task_text(line: str) -> str:
    line = _BULLET.sub("", line)
    line = _LETTERED.sub("", line)
    return line.strip()


def _assignment(
    text: str, default_lead: UnitMention | None, index: UnitIndex
) -> tuple[UnitMention | None, list[UnitMention]]:
    lead = default_lead
    if match := _LEAD_CHAIRS.search(text):
        unit = index.starting(match["unit"])
        if unit is not None:
            lead = UnitMention(match["unit"], unit)
        elif default_lead is None:
            lead = UnitMention(" ".join(match["unit"].split()[:12]), None)
    supports: list[UnitMention] = []
    for match in _COOPERATION.finditer(text):
        for mention in _unit_list(text[match.end() :], index):
            if (lead is None or mention.name != lead.name) and mention.name not in {
                s.name for s in supports
            }:
                supports.append(mention)
    return lead, supports


def _inline_tasks(paragraph: str, index: UnitIndex) -> list[tuple[str, UnitMention | None]]:
    """The "Giao X …" assignments of a paragraph, each with the unit it names first."""
    starts = [m.end() for m in _INLINE.finditer(paragraph)]
    pieces = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(paragraph)
        chunk = paragraph[start:end]
        # The next assignment's "Giao" belongs to it, not to this one.
        chunk = re.sub(r"[.;:]?\s*(?:Giao|giao cho|Giao cho)\s*$", "", chunk).strip(" ;.")
        lead_unit = index.starting(chunk)
        lead = UnitMention(chunk.split(" chủ trì")[0][:120], lead_unit) if lead_unit else None
        if lead is None:
            written = re.match(
                _UNIT_WORDS
                + r"\s+[^,;]{2,80}?(?=\s+(?:chủ trì|thực hiện|tham mưu|triển khai|phối hợp|,))",
                chunk,
            )
            lead = UnitMention(written.group(0), None) if written else None
        pieces.append(("Giao " + chunk, lead))
    return pieces


def parse_notice(text: str, *, reference: date | None = None) -> ParsedNotice:
    """Read a notice's text. Raises ImportProblem when it does not look like a notice at all."""
    if not text or not text.strip():
        raise ImportProblem("Văn bản rỗng: không có nội dung để đọc.")
    notice = ParsedNotice(lines=normalise(text)[:20000])
    index = UnitIndex(list(Unit.objects.all()))
    body_start = _header(notice, index)
    day = notice.issued_on or reference or date.today()  # noqa: DTZ011 - only a fallback for phrases

    section_ref, section_lead, section_deadline = "", None, None
    section_level = 0
    pending: list[tuple[int, str]] = []  # lines of a section without bullets

    def flush_pending() -> None:
        if pending and section_lead is not None:
            joined = " ".join(t for _, t in pending)
            _add(joined, pending[0][0], pending[-1][0])
        pending.clear()

    def _add(task_text: str, first: int, last: int, lead: UnitMention | None = None) -> None:
        chosen, supports = _assignment(task_text, lead or section_lead, index)
        deadline = find_deadline(task_text, reference=day) or section_deadline
        notice.tasks.append(
            ParsedTask(section_ref, task_text, chosen, supports, deadline, first, last)
        )

    for number in range(body_start, len(notice.lines)):
        line = notice.lines[number]
        if not line:
            continue
        if _STOP_BODY.match(line):
            break
        heading = _NUMBERED.match(line)
        if heading and not _BULLET.match(line):
            flush_pending()
            ref = heading.group(1)
            rest = line[heading.end() :].strip()
            level = ref.count(".") + 1
            named = _SECTION_UNIT.sub("", rest) if _SECTION_UNIT.match(rest) else rest
            # A heading names its unit whole ("Đối với Phòng X, Chi nhánh Y" leads with X); a
            # numbered sentence that assigns ("1. Giao Phòng X chủ trì …") is an inline task.
            first_named = named.split(",")[0].strip(" :.")
            unit = index.exactly(first_named)
            is_unit_section = bool(_SECTION_UNIT.match(rest)) or (
                unit is not None and len(rest) < 100 and not _ASSIGNING.search(rest)
            )
            if is_unit_section:
                section_ref, section_level = ref, level
                section_lead = UnitMention(first_named, unit)
                section_deadline = find_deadline(rest, reference=day)
                continue
            if section_lead is not None and level <= section_level:
                section_ref, section_lead, section_deadline, section_level = "", None, None, 0
            if section_lead is None:
                for chunk, lead in _inline_tasks(rest, index):
                    section_ref = ref
                    _add(chunk, number, number, lead)
                section_ref = "" if section_lead is None else section_ref
                continue
        if section_lead is not None:
            if _BULLET.match(line) or _LETTERED.match(line):
                flush_pending()
                _add(_clean_task_text(line), number, number)
            else:
                pending.append((number, line))
            continue
        item = _LETTERED.match(line) or _BULLET.match(line)
        content = _clean_task_text(line) if item else line
        for chunk, lead in _inline_tasks(content, index):
            previous_ref = section_ref
            letter = _LETTERED.match(line)
            section_ref = letter.group(1) if letter else previous_ref
            _add(chunk, number, number, lead)
            section_ref = previous_ref
    flush_pending()

    if not notice.tasks and not notice.number:
        raise ImportProblem(
            "Không nhận ra đây là một thông báo kết luận: không thấy số, ký hiệu văn bản "
            "và không thấy nhiệm vụ nào giao cho đơn vị."
        )
    return notice
