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
