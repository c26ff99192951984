"""Who is assigned what in one sentence, by how such sentences are written (docs/domain.md §1).

A direction names its assignee in a few ways, whatever the document's layout:

- after an assigning word: "Giao X …", "Đề nghị X …", "Yêu cầu X …", "… chỉ đạo X …" (the one who
  assigns, a leader or the UBND, comes before the word and is not the assignee);
- as the subject of the sentence: "X chủ trì, phối hợp với Y …", "X cần sớm …", "X: việc …";
- by a heading that names a unit, its items below it.

A unit is recognised by its registry name or by its form: a head word (Phòng, Sở, Ban, Trung
tâm, UBND, Chi cục, Công an, Đài, Hội, Kho bạc …, an office-holder such as "Thủ trưởng các cơ
quan") followed by its name, up to the first word that starts the predicate (a verb) or the
punctuation that ends it; groups ("các sở, ngành tỉnh", "UBND các xã, thị trấn", "các đơn vị
liên quan") are units too. Supports are the units after "phối hợp (với)", "cùng"; a unit that
only receives a report ("báo cáo X", "gửi về X", "(qua X)") or is advised ("tham mưu X") is
neither, because only the assignee's and the supports' positions are read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from core.text import fold

# Head words of a unit's name, as written (case matters: "phòng chống" is not a unit).
_HEADS = (
    r"Phòng|phòng(?!\s+(?:chống|cháy|trừ|ngừa|họp|làm việc|tránh|bệnh|dịch|hộ|ban|ốc|khám))"
    r"|Sở|Ban|Trung tâm|Chi cục|Chi nhánh|Cục|Tổng cục|Văn phòng|VP"
    r"|UBND|Ủy ban nhân dân|Uỷ ban nhân dân|HĐND|Hội đồng nhân dân|Công an|Thanh tra|Kho bạc"
    r"|Bảo hiểm xã hội|BHXH|Đài|Hội|Đoàn|Đội|Huyện đội|Huyện Đội|Ban Chỉ huy|Hạt|Trạm|Ngân hàng"
    r"|Trường|Bệnh viện|Điện lực|Công ty|Tổ công tác|Tổ giúp việc|Viện|Tòa án|Toà án|BCĐ|BQL"
    r"|Ban QLDA"
    r"|Mặt trận|Liên đoàn|Huyện ủy|Huyện uỷ|Đảng ủy|Đảng uỷ|Bộ phận|bộ phận|Bộ(?=\s+[A-ZĐÀ-Ỹ])"
    r"|Sở, ngành|Ủy ban MTTQ|UBMTTQ|Chủ tịch UBND|Chủ tịch Ủy ban nhân dân|Thủ trưởng|Giám đốc"
    r"|Người đứng đầu|Trưởng phòng|Trưởng ban|công chức|Công chức"
)
# Nouns that name a group of units after "các"/"những" (or alone, lowercase, as in
# "cơ quan liên quan").
_GROUP_NOUNS = (
    r"sở|ngành|phòng|ban|cơ quan|đơn vị|địa phương|xã|phường|thị trấn|thị xã|huyện|quận|thành phố"
    r"|bộ phận|tổ chức|doanh nghiệp|cá nhân|trường|hội|đoàn thể|Ban QLDA|Ban Quản lý|BQL"
    r"|Sở|Phòng|Ban|Trung tâm|UBND|Ủy ban|Uỷ ban|chi bộ|thôn|tổ dân phố|khu phố|hợp tác xã"
    r"|trạm|Trạm|đồng chí|thành viên|công chức|cán bộ|chủ đầu tư|nhà trường|lực lượng"
)
_UNIT_START = re.compile(
    rf"(?:(?:các|Các|những|Những|mỗi|Mỗi)\s+(?:{_GROUP_NOUNS})\b"
    r"|(?:Thủ trưởng|Chủ tịch|Giám đốc|Lãnh đạo|Người đứng đầu)"
    r"\s+(?:các|Ủy ban|Uỷ ban|UBND|Ban|Sở)\b"
    rf"|(?:{_HEADS})\b(?=\s|$|,)"
    rf"|(?:cơ quan|đơn vị|địa phương)\s+(?:liên quan|có liên quan|chuyên môn|trực thuộc)\b)"
)

# Words that start a predicate: the unit's name ends before them (matched as written, accents
# and all, at a word boundary: "chuyên môn" is not "chuyển", "Bảo vệ" not "về").
_VERBS = sorted(
    {
        word.strip()
        for word in """
    chủ trì|phối hợp|thực hiện|tham mưu|triển khai|tổ chức|xây dựng|rà soát|báo cáo|khẩn trương
    hoàn thành|hoàn thiện|tăng cường|hướng dẫn|chỉ đạo|cần|sớm|chủ động|lập|nghiên cứu|kiểm tra
    theo dõi|đôn đốc|giải quyết|xử lý|đề xuất|trình|ban hành|cập nhật|quản lý|thẩm định|tiếp tục
    đẩy mạnh|tập trung|phân công|bố trí|chuẩn bị|tuyên truyền|vận động|xem xét|tiến hành
    tổng hợp|niêm yết|họp|chuyển|lấy|gửi|thông báo|phát|được|có trách nhiệm|phải|quan tâm
    bảo đảm|đảm bảo|kịp thời|nghiêm túc|thành lập|sắp xếp|xin|tiếp nhận|cung cấp|khảo sát
    đánh giá|giám sát|duy trì|củng cố|công bố|phê duyệt|thẩm tra|lựa chọn|ký|bàn giao|mời
    làm việc|giải ngân|khắc phục|thu hồi|xác minh|điều tra|ứng dụng|nâng cao|phát huy|tích cực
    chăm sóc|di dời|hỗ trợ|cấp phép|thống kê|kiện toàn|đăng tải|thực thi|tạm dừng|tạm ngừng|ngừng
    nắm bắt|tiếp thu|kết hợp|bồi thường|điều chỉnh|bổ sung|hoàn tất|đăng ký|phân bổ|đẩy nhanh
    thường xuyên|liên hệ|chịu trách nhiệm|trả lời|nhận|đã|đang|sẽ|vừa|tham gia|hưởng ứng
    tạo điều kiện|ưu tiên|làm rõ|rút kinh nghiệm|quyết liệt|tập huấn|thu gom|bám sát|chỉnh trang
    kiểm soát|tuân thủ|chấp hành|tiếp tục|nghiên cứu|giao|đề nghị|yêu cầu|có ý kiến|tổ chức
    căn cứ|nghiêm túc|rà soát|khẩn trương|chịu trách nhiệm|bảo đảm|điều tiết|huy động
    chuyển đổi|nạo vét|sửa chữa|vận hành|lắp đặt|nâng cấp|cải tạo|xác định|truy quét|ngăn chặn
    phòng chống|phòng ngừa|cưỡng chế|thanh lý|quyết toán|thẩm duyệt|tiếp cận|phổ biến|quán triệt
    xây|sớm|kiểm điểm|làm việc|hoàn trả|đối chiếu|thông tin|báo|dừng|rà|thu
    """.replace("\n", "|").split("|")
        if word.strip()
    },
    key=len,
    reverse=True,
)
_VERB_AT = re.compile(r"(?:" + "|".join(re.escape(v) for v in _VERBS) + r")(?![\w])")
# Words that end a name because a complement starts: "theo", "tại", "về", "để" …
_COMPLEMENT = re.compile(
    r"(?:theo|tại|về|để|nhằm|trên|trong|trước|sau khi|khi|nếu|thuộc quyền|với|của"
    r"|cho|đối với|nhân dịp|bằng)(?![\w])|\d"
)

# Assigning words: the assignee follows them.
_TRIGGER = re.compile(
    r"(?<![\w])(?P<word>Giao cho|giao cho|Giao|giao|Đề nghị|đề nghị|Yêu cầu|yêu cầu|chỉ đạo"
    r"|Chỉ đạo|Kiến nghị|kiến nghị|giao nhiệm vụ cho)(?![\w])\s*:?\s*"
)
# "chỉ đạo X" assigns only when a leader or the UBND says it; a unit that "chỉ đạo"s another
# directs it (the other is neither lead nor support).
_ASSIGNER_BEFORE = re.compile(
    r"(?<![\w])(?:Chủ tịch|Phó Chủ tịch|Phó chủ tịch|Bí thư|UBND|Ủy ban nhân dân|Uỷ ban nhân dân"
    r"|ông|bà|đồng chí|Đồng chí)\b"
)
_COOPERATION = re.compile(
    r"(?<![\w])(?:phối hợp(?:\s+chặt\s+chẽ)?(?:\s+với)?|cùng với|cùng|làm việc với)(?![\w])\s+",
    re.I,
)
# The registry's names, when the importer has them: `known(text)` is the length of the
# registered name `text` starts with, or 0. Set by the parser for the time of one reading, per
# thread and task (a context variable: two imports at once never see each other's registry).
Known = Callable[[str], int]
_known: ContextVar[Known | None] = ContextVar("known_units", default=None)


@contextmanager
def registry(known: Known) -> Iterator[None]:
    token = _known.set(known)
    try:
        yield
    finally:
        _known.reset(token)


# Leaders and people: before an assigning word they assign; they are never the assignee.
_PERSON = re.compile(
    r"(?:Chủ tịch|Phó Chủ tịch|Phó chủ tịch|Bí thư|đồng chí|Đồng chí|ông|Ông|bà|Bà|Thường trực)\b"
)
# A past or reported action: narrative, not a direction.
_NARRATIVE = re.compile(r"^(?:cũng\s+)?(?:đã|vừa|đang|được|sẽ|đều)\b")
# What a direction's predicate is not: a formula that closes a letter.
_CLOSING = re.compile(
    r"^(?:quan tâm|nghiêm túc|khẩn trương|tổ chức|phối hợp)?\s*(?:triển khai\s+)?thực hiện"
    r"(?:\s+(?:tốt|đúng|nghiêm))?(?:\s+(?:nội dung|các nội dung|văn bản)\s+(?:trên|này))?[\s./]*$",
    re.I,
)


@dataclass
class Mention:
    """A unit as written in the text (`start`, `end`: its span there)."""

    text: str
    start: int
    end: int


@dataclass
class Assignment:
    leads: list[Mention] = field(default_factory=list)
    supports: list[Mention] = field(default_factory=list)
    # Where the task's own words start in the sentence: at the assigning word when it opens
    # the sentence, else at the assignee.
    text_start: int = 0
    by_subject: bool = False


def _folded_at(text: str, position: int) -> str:
    return fold(text[position : position + 60])


def _verb_at(text: str, position: int) -> bool:
    if position >= len(text):
        return False
    ahead = text[position : position + 40]
    if not ahead[:1].islower():
        return False  # names capitalise their words; a predicate starts in lowercase
    return bool(_VERB_AT.match(ahead))


def unit_at(text: str, position: int) -> Mention | None:
    """The unit phrase that starts at `position`, if one does: a registered name, else one
    recognised by its form."""
    known = _known.get()
    if known is not None and text[position : position + 1].isupper():
        length = known(text[position:])
        if length:
            end = position + length
            # A registered name may be written longer ("Phòng Tư pháp huyện"): keep the rest
            # of the name as written, up to where the predicate starts.
            formed = _formed_at(text, position)
            if formed is not None and formed.end > end:
                return formed
            return Mention(text[position:end], position, end)
    return _formed_at(text, position)


def _formed_at(text: str, position: int) -> Mention | None:
    match = _UNIT_START.match(text, position)
    if match is None:
        return None
    words = list(re.finditer(r"\S+", text[match.end() :]))
    end = match.end()
    count = len(match.group(0).split())
    index = 0
    while index < len(words) and count < 16:
        word = words[index]
        at = match.end() + word.start()
        token = word.group(0)
        if token[0] in "(;:." or _verb_at(text, at):
            break
        if count >= 2 and (token[0].isdigit() or _COMPLEMENT.match(text, at)):
            break
        if token == "và" or token == "và,":
            following = text[at + len(token) :].lstrip()
            joint = re.search(r"(?:HĐND|Hội đồng nhân dân)\s*$", text[position:at]) and re.match(
                r"(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\b", following
            )  # "Văn phòng HĐND và UBND huyện": one office
            if not joint and (_UNIT_START.match(following) or not following[:1].isupper()):
                break
        if token.startswith("-") and len(token) == 1:
            end = at + 1
            index += 1
            continue
        trimmed = token.rstrip(",.;:)")
        end = at + len(trimmed)
        count += 1
        if trimmed != token:
            if token.endswith(",") and _continues_after_comma(text, end + 1):
                index += 1
                continue
            break
        index += 1
    phrase = text[position:end].strip(" ,-–")
    if len(phrase.split()) < 2 and not re.match(r"(?:UBND|HĐND|BCĐ|VP)\b", phrase):
        return None
    return Mention(phrase, position, position + len(text[position:end].rstrip(" ,-–")))


def _continues_after_comma(text: str, position: int) -> bool:
    """After a comma inside a unit's name: "các sở, ngành tỉnh", "UBND xã A, B, thị trấn C"."""
    rest = text[position:].lstrip()
    segment = re.split(r"[,;:.(]|\s(?:và|với)\s", rest, maxsplit=1)[0].strip()
    verb = next(
        (m.start() for m in re.finditer(r"\S+", segment) if _verb_at(segment, m.start())), None
    )
    if verb is not None:
        segment = segment[:verb].strip()
    words = segment.split()
    if not words or len(words) > 4 or _UNIT_START.match(rest):
        return False
    first = words[0]
    return bool(
        re.match(rf"(?:{_GROUP_NOUNS})\b", segment) or (first[:1].isupper() and len(words) <= 3)
    )


def unit_list(text: str, position: int) -> tuple[list[Mention], int]:
    """The units listed from `position` ("A, B và C", "A; B; C"); returns them and where the
    list ends."""
    mentions: list[Mention] = []
    at = position
    while True:
        while at < len(text) and text[at] in " :":
            at += 1
        mention = unit_at(text, at)
        if mention is None:
            break
        mentions.append(mention)
        at = mention.end
        separator = re.match(r"\s*(?:,|;|và|cùng)\s*", text[at:])
        if separator is None:
            break
        following = at + separator.end()
        if unit_at(text, following) is None:
            break
        at = following
    return mentions, at


def _clause_start(text: str) -> int:
    """Skip the connectors that open a clause ("Đồng thời,", "Riêng", "Trong đó")."""
    match = re.match(
        r"\s*(?:(?:Đồng thời|Ngoài ra|Bên cạnh đó|Trong đó|Riêng|Theo đó|Sau đó)[,:]?\s+)?", text
    )
    return match.end() if match else 0


GROUP = re.compile(
    r"(?:các|Các|những|Những|mỗi|Mỗi)\s|(?:Thủ trưởng|Chủ tịch|Giám đốc|Lãnh đạo"
    r"|Người đứng đầu|Trưởng)\s+(?:\w+\s+)?các\s|(?:cơ quan|đơn vị|địa phương)\s"
)


def is_group(mention: Mention) -> bool:
    """A group or an office-holder of a group ("các đơn vị", "Thủ trưởng các cơ quan")."""
    return bool(GROUP.match(mention.text))


def assignment(sentence: str, *, operative: bool, giao_only: bool = False) -> Assignment | None:
    """The assignee (and supports) that `sentence` names, or None when it assigns nothing.

    With `operative` False (narrative before the directions) only an assigning word counts;
    with `giao_only`, only "Giao X" (general parts of a document laid out by unit).
    """
    found: Assignment | None = None
    start = _clause_start(sentence)
    subject = unit_at(sentence, start)
    person = subject is not None and not is_group(subject) and _PERSON.match(sentence, start)
    if subject is not None and operative and not giao_only and not person:
        rest = sentence[subject.end :].lstrip(" ,")
        assigning = _TRIGGER.match(rest)
        # "UBND tỉnh giao X …" assigns; "Phòng Y chỉ đạo các trường …" is Y's own task.
        assigns = assigning is not None and (
            assigning["word"].lower() != "chỉ đạo" or _ASSIGNER_BEFORE.match(subject.text)
        )
        if not assigns and (
            rest.startswith(":") or (_verb_at(rest, 0) and not _NARRATIVE.match(rest))
        ):
            found = Assignment([subject], [], start, by_subject=True)
    for trigger in [] if found else _TRIGGER.finditer(sentence):
        word = trigger["word"].lower()
        if giao_only and not word.startswith("giao"):
            continue
        before = sentence[: trigger.start()].rstrip(" ,")
        if re.search(r"(?:theo|của|được|đã|nhận|tại|việc|sự)\s*$", before):
            continue  # "theo đề nghị của X", "được giao": a reference, not a direction
        if word == "chỉ đạo" and not _ASSIGNER_BEFORE.search(before):
            continue
        leads, end = unit_list(sentence, trigger.end())
        if not leads:
            continue
        if _NARRATIVE.match(sentence[end:].lstrip()):
            continue
        opening = trigger.start() <= _clause_start(sentence) + 2
        found = Assignment(leads, [], trigger.start() if opening else leads[0].start)
        break
    if found is None and operative and not giao_only:
        # "Các nguồn kinh phí cần xin chủ trương UBND huyện, phòng tài chính cần sớm …":
        # a unit later in the sentence, after a comma, followed by what it must do.
        for match in re.finditer(r"[,;]\s+", sentence):
            subject = unit_at(sentence, match.end())
            if subject is None:
                continue
            rest = sentence[subject.end :].lstrip()
            if re.match(r"(?:cần|phải|sớm|khẩn trương|chủ động|chủ trì|có trách nhiệm)\b", rest):
                found = Assignment([subject], [], start, by_subject=True)
                break
    if found is None:
        return None
    predicate = sentence[found.leads[-1].end :].strip(" ,:")
    if (
        re.match(r"thông báo\b|biết\b", predicate)
        or _CLOSING.match(predicate)
        or (
            len(predicate.split()) <= 25
            and re.search(
                r"(?:triển khai|quan tâm|tổ chức)\s+thực hiện(?:\s+tốt)?\s*[./]*$", predicate
            )
        )
    ):
        return None  # a letter's closing formula ("… triển khai thực hiện./.")
    found.supports = supports_in(sentence[found.leads[0].start :], found.leads)
    return found


def sentences(text: str) -> list[tuple[int, str]]:
    """The sentences of a paragraph with where each starts: a full stop followed by a capital
    ends one ("TP.", "3.1", "ngày 12.3" do not)."""
    pieces: list[tuple[int, str]] = []
    start = 0
    for match in re.finditer(r"(?<=\S)[.!?](?:/\.)?\s+(?=[A-ZĐÀ-Ỹ(])", text):
        word = text[: match.start()].rsplit(None, 1)[-1]
        if len(word) <= 2 and not word.isdigit() or re.fullmatch(r"[\d.]+", word) and "." in word:
            continue  # "TP. Hồ Chí Minh", "3.1. …": not the end of a sentence
        pieces.append((start, text[start : match.end()].strip()))
        start = match.end()
    if text[start:].strip():
        pieces.append((start, text[start:].strip()))
    return pieces


def clauses(
    sentence: str, *, operative: bool, giao_only: bool = False
) -> list[tuple[str, Assignment | None]]:
    """`sentence` split at ";" where a new direction starts (its own assignee), each with
    its assignment; a clause that starts no new direction stays with the one before, and so
    does one that continues a list of assignees ("giao A; B; C thực hiện …")."""
    parts = [p for p in re.split(r"(?<=;)\s+", sentence) if p.strip()]
    result: list[tuple[str, Assignment | None]] = []
    for part in parts:
        # After "… yêu cầu A làm …;" the next clauses are directions too: "B làm …; C làm …".
        listing = operative or any(kept is not None and not kept.by_subject for _, kept in result)
        found = assignment(part, operative=listing, giao_only=giao_only)
        if result:
            previous, kept = result[-1]
            open_list = kept is not None and not previous[kept.leads[-1].end :].strip(" ;,")
            if open_list or found is None or not _starts_direction(part, found):
                merged = f"{previous} {part}"
                again = assignment(merged, operative=operative, giao_only=giao_only)
                result[-1] = (merged, again or kept)
                continue
        result.append((part, found))
    return result


def _starts_direction(part: str, found: Assignment) -> bool:
    opening = _clause_start(part) + 2
    return found.leads[0].start <= opening or found.text_start <= opening


def supports_in(text: str, leads: list[Mention]) -> list[Mention]:
    """The units after "phối hợp (với)", "cùng (với)" in `text`, other than the leads."""
    taken = {fold(m.text) for m in leads}
    found: list[Mention] = []
    for match in _COOPERATION.finditer(text):
        listed, end = unit_list(text, match.end())
        if len(listed) == 1 and is_group(listed[0]) and text[end : end + 2].strip().startswith(":"):
            # "phối hợp các phòng, đơn vị: A, B, C": the units are those after the colon.
            listed = unit_list(text, text.index(":", end) + 1)[0] or listed
        for mention in listed:
            if fold(mention.text) not in taken:
                taken.add(fold(mention.text))
                found.append(mention)
    return found


_CHAIRS = re.compile(r"(?<![\w])(?:chủ trì|là cơ quan chủ trì|là đơn vị chủ trì)(?![\w])")


def chairing(text: str) -> Mention | None:
    """A named unit that "chủ trì" somewhere in `text` ("…; Phòng Y chủ trì thẩm định …")."""
    for match in _CHAIRS.finditer(text):
        before = text[: match.start()].rstrip(" ,")
        for start in [m.start() for m in re.finditer(r"(?:^|(?<=[\s,;:(]))\S", before)]:
            mention = unit_at(before, start)
            if mention is not None and mention.end >= len(before) - 1 and not is_group(mention):
                return mention
    return None


def has_predicate(text: str) -> bool:
    """Whether `text` says what to do (a verb in lowercase), not only names something."""
    return any(_verb_at(text, m.start()) for m in re.finditer(r"\S+", text))
