"""How personal data is shortened where a whole value is not needed: lists, search hits, the event log (§11)."""

BULLET = "•"


def mask_name(name: str) -> str:
    """ "Hoàng Thị Mai" → "Hoàng T. M.": the family name, then initials."""
    parts = (name or "").split()
    if not parts:
        return ""
    return " ".join([parts[0], *(f"{part[0]}." for part in parts[1:])])


def mask_id_number(number: str) -> str:
    """ "038190001234" → "0381••••1234"."""
    number = number or ""
    if len(number) <= 8:
        return BULLET * len(number)
    return number[:4] + BULLET * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """ "0912345678" → "0912•••678"."""
    phone = phone or ""
    if len(phone) <= 7:
        return BULLET * len(phone)
    return phone[:4] + BULLET * (len(phone) - 7) + phone[-3:]
