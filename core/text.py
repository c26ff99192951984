"""Vietnamese text folding: what people type without accents must still match."""

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
