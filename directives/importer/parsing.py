"""From text to a notice: its header, sections, tasks, units and deadlines (docs/domain.md)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from core.text import fold, name_key
from units.models import Unit

from ..deadlines import ONGOING_WORDS, Deadline, DeadlineError, find_deadline, parse_deadline
from . import clauses
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
        self.names = {key for key, _ in self.keys}

    def prefix_length(self, text: str) -> int:
        """How many characters of `text` a registered name takes at its start (0: none)."""
        words = list(re.finditer(r"[^\s\-–—_.,;:/()&]+", text[:240]))
        for count in range(min(len(words), 16), 0, -1):
            key = name_key(" ".join(w.group(0) for w in words[:count]))
            if key in self.names:
                return words[count - 1].end()
        return 0

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


@dataclass
class ParsedTask:
    ref: str
    text: str
    leads: list[UnitMention]  # one, or several co-leads / a group (fanned out by the office)
    supports: list[UnitMention]
    deadline: Deadline | None
    first_line: int
    last_line: int

    @property
    def lead(self) -> UnitMention | None:
        return self.leads[0] if self.leads else None

    @property
    def recurring(self) -> bool:
        """No deadline: followed as an ongoing task (Task.DeadlineKind.ONGOING)."""
        return self.deadline is None

    @property
    def said_ongoing(self) -> bool:
        """No deadline, and the text says so ("thường xuyên", "tiếp tục", "định kỳ", …)."""
        return self.deadline is None and any(word in fold(self.text) for word in ONGOING_WORDS)

    def as_form_row(self) -> dict[str, str]:
        """The task as a row of the preview's form: names and phrases as the office reads them."""
        deadline = ""
        if self.deadline and self.deadline.day:
            deadline = self.deadline.text or f"{self.deadline.day:%d/%m/%Y}"
        return {
            "ref": self.ref,
            "text": self.text,
            "lead_unit": "; ".join(m.name for m in self.leads),
            # A group ("các đơn vị liên quan") stays in the text: it is no unit to pick.
            "support_units": "; ".join(
                m.name for m in self.supports if m.unit or not clauses.GROUP.match(m.text)
            ),
            "deadline": deadline,
            "source_lines": f"{self.first_line + 1}-{self.last_line + 1}",  # lines from 1
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
    # Where the number was read: "header" (the document's own "Số:"), or the portal copy's
    # mention of its source ("(Theo Công văn số …)"), said in the preview.
    number_source: str = ""
    title_line: int = -1  # a news item's headline: the title, not a direction
    # What could not be read, for the preview to say (never a refusal).
    problems: list[str] = field(default_factory=list)

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
            "number_source": self.number_source,
            "problems": self.problems,
            "tasks": [
                {
                    "ref": task.ref,
                    "text": task.text,
                    "lead_units": [m.name for m in task.leads],
                    "support_units": [m.name for m in task.supports],
                    "deadline": task.deadline.day.isoformat()
                    if task.deadline and task.deadline.day
                    else None,
                    "recurring": task.said_ongoing,
                }
                for task in self.tasks
            ],
        }


_DATE_LINE = re.compile(
    r"(?:^|\|\s*|\s{2,}|\S+\s+)(?P<place>[A-ZĐÀ-Ỹ][^,\d|:]{1,40}?),\s*ngày\s+(?P<d>\d{1,2})"
    r"\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})",
)
_NUMBER_TEXT = r"(?P<number>\d+\s*/\s*[\w.\-–/&]*[\w])"
# The document's own number: its "Số:" at the start of a line or of a header cell.
_NUMBER = re.compile(r"(?:^|\|)\s*Số\s*[:.]\s*" + _NUMBER_TEXT, re.I)
_DOC_TYPES = (
    r"(?:Công văn|Thông báo|Kế hoạch|Quyết định|Chỉ thị|Văn bản|Báo cáo|Tờ trình|Hướng dẫn"
    r"|Nghị quyết|Công điện)"
)
_SHORT_DATE = r"(?P<date>\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{4})?)"
# A portal copy names its source: "(Theo Công văn số 6012/UBND-KT, ngày 14/11/2023)",
# "(Nguồn: Từ Công văn số …)", "… đã ký ban hành Công văn số 3273/UBND-VP ngày 29/8/2023".
_OWN_SOURCE = [
    re.compile(
        r"\(\s*(?:Theo|Nguồn\s*:?\s*(?:Từ|từ)?)\s+"
        + _DOC_TYPES
        + r"\s+số\s+"
        + _NUMBER_TEXT
        + r"[,\s]*(?:ngày\s+"
        + _SHORT_DATE
        + ")?",
        re.I,
    ),
    re.compile(
        r"(?:ban hành|banh|phát hành|ký)\s+"
        + _DOC_TYPES
        + r"\s+số\s+"
        + _NUMBER_TEXT
        + r"(?:[,\s]+ngày\s+"
        + _SHORT_DATE
        + ")?",
        re.I,
    ),
]
_MEETING = re.compile(r"\bNgày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")
# The day a news item reports: "Chiều ngày 17/5/2022, …", "Ngày 21/ 5, UBND tỉnh ban hành …".
_NEWS_DAY = re.compile(
    r"(?:^|(?<=\s))(?:(?:Sáng|Chiều|Tối|Trưa|Đêm)\s+(?:ngày\s+)?|(?:ngày|Ngày)\s+)(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})"
    r"(?:\s*/\s*(?P<y>\d{4}))?\s*,"
)
_ANY_YEAR = re.compile(r"\b\d{1,2}\s*/\s*\d{1,2}\s*/\s*(\d{4})\b|năm\s+(\d{4})\b")
_CHAIR = re.compile(
    r"[Đđ]ồng chí\s+(?P<name>[A-ZĐÀ-Ỹ][^\s,]*(?:\s+[A-ZĐÀ-Ỹ][^\s,]*){1,4}),"
    r"\s*(?P<title>[^.;]{3,120}?)\s+chủ trì"
)
_SIGN_TITLES = re.compile(r"^(?:TM\.|KT\.|TL\.|TUQ\.|Q\.)?\s*[A-ZĐÀ-Ỹ .\-]{4,}$")
_STOP_BODY = re.compile(r"^(?:Trên đây|Nơi nhận)", re.I)
# The document's type, on a line of its own above its title ("THÔNG BÁO", "CHỈ THỊ" …).
_DOC_CAPTIONS = r"THÔNG BÁO|CHỈ THỊ|KẾ HOẠCH|QUYẾT ĐỊNH|CÔNG VĂN|KẾT LUẬN|BÁO CÁO|CÔNG ĐIỆN"
_CHROME = re.compile(
    r"^(?:Insert title|Tin |Tin tức|Trang chủ|Ngày đăng|Cập nhật|Lượt xem|THÔNG TIN|hoạt động)",
    re.I,
)


def _day(d: str, m: str, y: str | None, fallback_year: int | None) -> date | None:
    year = int(y) if y else fallback_year
    if year is None:
        return None
    try:
        return date(year, int(m), int(d))
    except ValueError:
        return None


def _short_date(text: str | None, fallback_year: int | None) -> date | None:
    if not text:
        return None
    parts = re.split(r"\s*[/.-]\s*", text.strip())
    return _day(parts[0], parts[1], parts[2] if len(parts) > 2 else None, fallback_year)


def _header(notice: ParsedNotice, index: UnitIndex) -> int:
    """Fill the header; returns the line where the body starts.

    The document's own number and date come from its header ("Số: …", "<nơi>, ngày … tháng …
    năm …", also when the two columns arrive on one line or as "|" cells), else from a portal
    copy's mention of its source; a document it only cites ("Thực hiện Thông báo số …") is
    never taken for it.
    """
    lines = notice.lines
    body_start = 0
    years = [int(a or b) for line in lines[:12] for a, b in _ANY_YEAR.findall(line)]
    common_year = max(set(years), key=years.count) if years else None
    for number, line in enumerate(lines[:40]):
        if not notice.number and (match := _NUMBER.search(line)):
            notice.number = re.sub(r"\s+", "", match.group("number")).rstrip(".,;")
            notice.number_source = "header"
        if notice.issued_on is None and (match := _DATE_LINE.search(line)):
            notice.issued_on = _day(match["d"], match["m"], match["y"], None)
            notice.place = match["place"].strip(" |")
        if not notice.title and re.match(r"^(?:V/v|V/V|Về việc)\s+", line):
            notice.title = line
        if re.fullmatch(_DOC_CAPTIONS, line.strip()):
            body_start = number + 1
            following = next((c for c in lines[number + 1 : number + 4] if c), "")
            if following and not _starts_block(following):
                notice.title = following
                body_start = lines.index(following, number + 1) + 1
            break
    if not notice.number:
        for line in lines:
            for pattern in _OWN_SOURCE:
                if match := pattern.search(line):
                    notice.number = re.sub(r"\s+", "", match.group("number")).rstrip(".,;")
                    notice.number_source = "source"
                    if notice.issued_on is None:
                        notice.issued_on = _short_date(match.group("date"), common_year)
                    after = line[match.end() :].strip()
                    if not notice.title and re.match(r"(?:về việc|V/v)\s", after, re.I):
                        notice.title = re.split(r"\.\s", after)[0].strip(" .")
                    break
            if notice.number:
                break
    if notice.issued_on is None:
        for line in lines[:12]:
            if match := _NEWS_DAY.search(line):
                notice.issued_on = _day(match["d"], match["m"], match["y"], common_year)
                break
    if not notice.number and not notice.title:
        # A news item: its headline is the first line that reads as one.
        for number, line in enumerate(lines[:6]):
            words = line.split()
            if (
                len(words) >= 6
                and not _starts_block(line)
                and not line.isupper()
                and not _CHROME.match(line)
                and not line.rstrip().endswith(":")
            ):
                notice.title = line
                notice.title_line = number
                break
    upper_lines = [
        ln.split("CỘNG HÒA")[0].strip(" |")
        for ln in lines[:8]
        if ln.isupper() and "ĐỘC LẬP" not in ln.upper()[:8]
    ]
    issuer_lines = [
        ln
        for ln in upper_lines
        if ln and re.search(r"ỦY BAN|UỶ BAN|UBND|HUYỆN|TỈNH|XÃ|THÀNH PHỐ|SỞ|PHƯỜNG", ln)
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
        unit = self.index.starting(mention.text) or self.index.exactly(mention.text)
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
