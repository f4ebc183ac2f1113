"""Folding Vietnamese text for search: "ĐĂNG KÝ  Khai sinh" and "dang ky khai sinh" fold to the same string.

Search compares folded columns (`ProcedureVersion.search_name`, `search_text`) with a folded query, so the
same plain LIKE works on SQLite and PostgreSQL without a database-specific `unaccent`.
"""

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
