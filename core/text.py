"""Vietnamese text folding: what people type without accents must still match."""

import datetime as dt
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[\s\-–—_.,;:/()&]+")


def strip_accents(text: str) -> str:
    """Vietnamese without diacritics, case kept: "Đôn đốc" → "Don doc"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def fold(text: str) -> str:
    """Lowercase, strip Vietnamese diacritics (đ → d) and collapse white space.

    "Ủy ban nhân dân xã Sơn Tây" → "uy ban nhan dan xa son tay".
    """
    return _SPACES.sub(" ", strip_accents(text)).strip().lower()


def name_key(text: str) -> str:
    """A key for matching unit names: folded, with punctuation and spacing ignored.

    "Phòng TN-MT", "phong tn - mt" and "Phòng TN MT" share the key "phong tn mt".
    """
    return _PUNCT.sub(" ", fold(text)).strip()


# Characters XML 1.0 cannot hold (C0 controls other than tab and line breaks, U+FFFE/U+FFFF,
# lone surrogates); Word pastes U+000B for a manual line break and U+000C for a page break.
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` as a document can hold it: Word's line and page breaks as line breaks, every
    other character XML refuses removed."""
    if text.isprintable():  # the common case, checked in C: nothing to replace or remove
        return text
    return _NOT_XML.sub("", text.replace("\x0b", "\n").replace("\x0c", "\n"))


def vn_number(value: float, decimals: int = 0) -> str:
    """A number as Vietnamese documents write it: "1.234", "3,6"."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_percent(value: float) -> str:
    """A percentage as Vietnamese documents write it, the same on every screen and in every
    report: "3,6%"."""
    return f"{vn_number(value, 1)}%"


class _Days(dict[dt.date, str]):
    """Each day's "dd/mm/yyyy", made once: a long export writes a few thousand days a
    hundred thousand times (strftime ~2 µs a call, a dictionary hit ~0.1 µs)."""

    LIMIT = 50_000  # days kept at most (over a century); then it starts afresh

    def __missing__(self, day: dt.date) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        text = self[day] = f"{day:%d/%m/%Y}"
        return text


_DAYS = _Days()


def day_text(day: dt.date) -> str:
    """A date as Vietnamese documents write it: "30/10/2023"."""
    return _DAYS[day]


def minute_text(moment: dt.datetime) -> str:
    """A date and time to the minute: "30/10/2023 14:05" (as strftime writes it, twice as
    fast: a long export writes one on every row)."""
    return f"{moment.day:02}/{moment.month:02}/{moment.year} {moment.hour:02}:{moment.minute:02}"
