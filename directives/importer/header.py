"""The document's header: its own number and date, issuer, title, meeting, signature."""

from __future__ import annotations

import re
from datetime import date

from .lines import _BULLET, _starts_block
from .model import ParsedNotice, UnitIndex

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
        written = " ".join(issuer_lines[:2]).title()
        for long, short in (("Ủy Ban Nhân Dân", "UBND"), ("Uỷ Ban Nhân Dân", "UBND")):
            written = written.replace(long, short)
        # Upper-case abbreviations stay as written ("UBND", "HĐND", "VP").
        notice.issuer = re.sub(
            r"\b(Ubnd|Hđnd|Vp|Ttđt|Mttq)\b", lambda m: m.group(1).upper(), written
        )
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
