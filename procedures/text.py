"""Folding Vietnamese text for search: "ĐĂNG KÝ  Khai sinh" and "dang ky khai sinh" fold to the same string.

Search compares folded columns (`ProcedureVersion.search_name`, `search_text`) with a folded query, so the
same plain LIKE works on SQLite and PostgreSQL without a database-specific `unaccent`.
"""

import re
import unicodedata

# đ/Đ are letters of their own, not d + a combining mark, so NFD leaves them alone.
# Ð (U+00D0, the Icelandic eth) turns up in text typed with the wrong keyboard in place of Đ.
_LETTER_MAP = str.maketrans({"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"})


def fold(s: str) -> str:
    """Lower-case, accent-free, whitespace collapsed: fold("  Đăng KÝ\tkhai sinh ") == "dang ky khai sinh"."""
    if not s:
        return ""
    decomposed = unicodedata.normalize("NFD", s.translate(_LETTER_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


# A word of folded text: letters and digits, with inner dots kept so a code (1.000002, 2.000488.000.00.00.H56)
# stays one word; punctuation around words (commas, brackets, a final dot) is dropped.
_WORD_RE = re.compile(r"[0-9a-z]+(?:\.[0-9a-z]+)*")


def fold_words(s: str) -> str:
    """The folded words of `s`, single-spaced: "Chứng thực (bản sao), di chúc." → "chung thuc ban sao di chuc".

    Search columns store this, so matching whole words is a LIKE on " word " against the column padded with spaces.
    """
    return " ".join(_WORD_RE.findall(fold(s)))


def search_text_column(s: str) -> str:
    """`fold_words(s)` with a space at each end, as `ProcedureVersion.search_text` stores it: every word, the first
    and the last included, sits between two spaces, so " an " finds "an toàn" but not "bản" or "hoàn".
    """
    words = fold_words(s)
    return f" {words} " if words else ""
