"""Import of the procedure catalogue from the JSON format of docs/catalogue-format.md.

The whole file is read and validated before anything is written, then applied in one transaction: a
malformed file is refused with every problem named by record (1-based index and code) and field path, and
nothing of it is imported. Importing the same file again changes nothing, because each record's content hash
equals the current version's. Agency links are not content: they are re-synced on every import, since agencies
are province data loaded separately; identifiers of agencies not created yet wait on the version and are linked
when the agencies appear (services.procedures_link_pending_agencies). Procedures absent from the file are left
as they are (the file may be a partial catalogue), and an abolished procedure comes back only through a changed
record (a new version).
"""

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from agencies.models import e_identifier_validator
from procedures.content import (
    CaseData,
    DocumentData,
    FeeData,
    LegalBasisData,
    ProcedureData,
    StepData,
    TimePart,
    content_hash,
)
from procedures.models import (
    ClockMode,
    ExcludedTime,
    Level,
    OnlineMode,
    Procedure,
    ProcedureVersion,
    TimeUnit,
)
from procedures.services import (
    BUDGETED_UNITS,
    ProcedureError,
    StepBudgetError,
    field_upsert,
    procedure_abolish,
    procedure_agencies_sync,
    procedure_publish_version,
    procedures_link_pending_agencies,
    step_budgets_check,
)

FORMAT = "mot-cua-catalogue/1"
DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "catalogue.json"

# Codes end up in URLs (/procedures/<code>/): digits, letters and dots, as national and instance codes are.
CODE_RE = re.compile(r"^[0-9A-Za-z.]+$")
CUTOFF_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_ERRORS_SHOWN = 50

_url_validator = URLValidator(schemes=["http", "https"])

RECORD_KEYS = frozenset(
    {
        "code", "name", "field", "levels", "procedure_type", "implementing_agency", "competent_agency",
        "coordinating_agency", "agencies", "submission_place", "applicants", "sequence", "channels", "time",
        "supplement_clock_mode", "excluded_time_categories", "financial_obligation_excluded",
        "acceptance_window_hours", "fees", "fee_description", "documents", "conditions", "legal_basis",
        "result", "online_mode", "location_independent", "announcing_decision", "steps", "effective_from",
        "source", "abolished_on", "min_loa", "cases",
    }
)  # fmt: skip


class CatalogueError(Exception):
    """The file is refused; `errors` are bilingual lines naming the record and the field."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            more = len(errors) - MAX_ERRORS_SHOWN
            shown.append(f"… và {more} lỗi khác / … and {more} more errors")
        header = "Tệp danh mục không được nhập, không có gì thay đổi / Catalogue refused, nothing imported:"
        super().__init__("\n".join([header, *shown]))


@dataclass(frozen=True)
class FieldEntry:
    code: str
    name: str


@dataclass(frozen=True)
class CatalogueRecord:
    index: int
    code: str
    data: ProcedureData
    effective_from: dt.date
    agencies: tuple[str, ...]
    abolished_on: dt.date | None

    @property
    def label(self) -> tuple[str, str]:
        return f"Bản ghi #{self.index} ({self.code})", f"Record #{self.index} ({self.code})"


@dataclass(frozen=True)
class Catalogue:
    fields: tuple[FieldEntry, ...]
    records: tuple[CatalogueRecord, ...]
    warnings: tuple[str, ...] = ()


@dataclass
class ImportReport:
    fields_created: int = 0
    fields_updated: int = 0
    created: int = 0
    new_versions: int = 0
    unchanged: int = 0
    abolished: int = 0
    agency_links_changed: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"Lĩnh vực: {self.fields_created} mới, {self.fields_updated} cập nhật. "
            f"Thủ tục: {self.created} mới, {self.new_versions} phiên bản mới, {self.unchanged} không đổi, "
            f"{self.abolished} bãi bỏ; liên kết cơ quan cập nhật: {self.agency_links_changed}.\n"
            f"Fields: created {self.fields_created}, updated {self.fields_updated}. "
            f"Procedures: created {self.created}, new versions {self.new_versions}, "
            f"unchanged {self.unchanged}, abolished {self.abolished}; "
            f"agency links updated: {self.agency_links_changed}."
        )


# --- Reading ------------------------------------------------------------------------------------------


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def catalogue_read(path: Path) -> Any:
    """The parsed JSON of `path`; decimals as Decimal so 0.5 day stays exactly 0.5."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogueError([f"Không đọc được tệp {path}: {error.strerror} / Cannot read {path}: {error}"]) from None
    except UnicodeDecodeError:
        raise CatalogueError([f"Tệp {path} không phải UTF-8 / {path} is not UTF-8"]) from None
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise CatalogueError(
            [
                f"Tệp không phải JSON hợp lệ: {error.msg}, dòng {error.lineno} cột {error.colno} / "
                f"Not valid JSON: {error.msg}, line {error.lineno} column {error.colno}"
            ]
        ) from None
    except ValueError as error:
        raise CatalogueError([f"Tệp không phải JSON hợp lệ / Not valid JSON: {error}"]) from None


# --- Validation ---------------------------------------------------------------------------------------

_MISSING = object()


class _Reader:
    """Reads typed values out of one part of the file, collecting problems rather than stopping."""

    def __init__(self, errors: list[str], warnings: list[str], label: tuple[str, str]) -> None:
        self.errors, self.warnings, self.label = errors, warnings, label

    def error(self, path: str, vi: str, en: str) -> None:
        self.errors.append(f'{self.label[0]}, trường "{path}": {vi} / {self.label[1]}, field "{path}": {en}')

    def warn(self, path: str, vi: str, en: str) -> None:
        self.warnings.append(f'{self.label[0]}, trường "{path}": {vi} / {self.label[1]}, field "{path}": {en}')

    def unknown_keys(self, obj: dict, known: frozenset[str] | set[str], prefix: str = "") -> None:
        for key in obj:
            if key not in known:
                self.warn(f"{prefix}{key}", "không có trong định dạng, bỏ qua", "not in the format, ignored")

    def get(self, obj: dict, key: str, path: str, *, required: bool) -> Any:
        value = obj.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.error(path, "thiếu trường bắt buộc", "required field missing")
            return _MISSING
        return value

    def text(self, obj: dict, key: str, path: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.get(obj, key, path, required=required)
        if value is _MISSING:
            return ""
        if not isinstance(value, str):
            self.error(path, "phải là chuỗi ký tự", "must be a string")
            return ""
        value = value.strip()
        if required and not value:
            self.error(path, "không được để trống", "must not be empty")
        if max_length is not None and len(value) > max_length:
            self.error(path, f"dài quá {max_length} ký tự", f"longer than {max_length} characters")
        return value

    def boolean(self, obj: dict, key: str, path: str, *, default: bool) -> bool:
        value = self.get(obj, key, path, required=False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.error(path, "phải là true hoặc false", "must be true or false")
            return default
        return value

    def integer(self, obj: dict, key: str, path: str, *, default: int, maximum: int) -> int:
        value = self.get(obj, key, path, required=False)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.error(
                path,
                f"giá trị {value!r} phải là số nguyên không âm",
                f"value {value!r} must be an integer ≥ 0",
            )
            return default
        if value > maximum:
            self.error(path, f"giá trị {value} lớn hơn {maximum}", f"value {value} is more than {maximum}")
            return default
        return value

    def decimal(
        self, obj: dict, key: str, path: str, *, required: bool, positive: bool, below: int, default=None
    ) -> Decimal | None:
        value = self.get(obj, key, path, required=required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.error(path, "phải là số", "must be a number")
            return default
        number = Decimal(value)
        if number < 0 or (positive and number == 0):
            wanted_vi, wanted_en = ("lớn hơn 0", "more than 0") if positive else ("không âm", "≥ 0")
            self.error(path, f"giá trị {value} phải {wanted_vi}", f"value {value} must be {wanted_en}")
            return default
        if number >= below or number.as_tuple().exponent < -2:
            self.error(
                path,
                f"giá trị {value} phải nhỏ hơn {below}, tối đa 2 chữ số thập phân",
                f"value {value} must be below {below} with at most 2 decimals",
            )
            return default
        return number

    def choice(self, obj: dict, key: str, path: str, choices: list[str], *, default: str | None = None) -> str:
        value = self.get(obj, key, path, required=default is None)
        if value is _MISSING:
            return default or ""
        if value not in choices:
            allowed = ", ".join(choices)
            self.error(
                path,
                f'giá trị "{value}" không hợp lệ (chọn: {allowed})',
                f'invalid value "{value}" (one of: {allowed})',
            )
            return default or ""
        return value

    def date(self, obj: dict, key: str, path: str, *, required: bool) -> dt.date | None:
        value = self.get(obj, key, path, required=required)
        if value is _MISSING:
            return None
        if isinstance(value, str) and DATE_RE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.error(path, f'ngày "{value}" không hợp lệ (YYYY-MM-DD)', f'invalid date "{value}" (YYYY-MM-DD)')
        return None

    def url(self, obj: dict, key: str, path: str) -> str:
        value = self.text(obj, key, path, max_length=500)
        if value:
            try:
                _url_validator(value)
            except ValidationError:
                self.error(path, f'địa chỉ "{value}" không hợp lệ', f'invalid URL "{value}"')
                return ""
        return value

    def items(self, obj: dict, key: str, path: str, *, required: bool = False, kind: type = dict) -> list:
        value = self.get(obj, key, path, required=required)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.error(path, "phải là một danh sách", "must be a list")
            return []
        good = []
        for i, item in enumerate(value):
            if isinstance(item, kind):
                good.append((i, item))
            else:
                what = ("một đối tượng", "an object") if kind is dict else ("chuỗi ký tự", "a string")
                self.error(f"{path}[{i}]", f"phải là {what[0]}", f"must be {what[1]}")
        return good

    def each(self, obj: dict, key: str, path: str, build: Callable[[dict, str], Any]) -> tuple:
        return tuple(build(item, f"{path}[{i}]") for i, item in self.items(obj, key, path))


def _read_time(r: _Reader, rec: dict) -> tuple[str, Decimal | None, tuple[TimePart, ...], dt.time | None, str]:
    time = r.get(rec, "time", "time", required=True)
    if time is _MISSING:
        return "", None, (), None, ""
    if not isinstance(time, dict):
        r.error("time", "phải là một đối tượng", "must be an object")
        return "", None, (), None, ""
    r.unknown_keys(time, {"unit", "value", "parts", "cutoff", "description"}, "time.")
    unit = r.choice(time, "unit", "time.unit", TimeUnit.values)
    value = None
    if unit in BUDGETED_UNITS:
        value = r.decimal(time, "value", "time.value", required=True, positive=True, below=100_000)
    elif unit and time.get("value") not in (None, 0):
        # Same-day may say 0 (the due-date command's `--days 0`); mixed and open-ended limits have no value.
        r.error("time.value", f'không dùng với đơn vị "{unit}"', f'not used with unit "{unit}"')
    parts: tuple[TimePart, ...] = ()
    if unit == TimeUnit.MIXED:
        raw_parts = r.items(time, "parts", "time.parts", required=True)
        if not raw_parts and "parts" in time:
            r.error("time.parts", "cần ít nhất một phần", "needs at least one part")
        parts = tuple(
            TimePart(
                unit=r.choice(part, "unit", f"time.parts[{i}].unit", sorted(BUDGETED_UNITS)),
                value=r.decimal(part, "value", f"time.parts[{i}].value", required=True, positive=True, below=100_000)
                or Decimal(0),
            )
            for i, part in raw_parts
        )
    elif time.get("parts"):
        r.error("time.parts", 'chỉ dùng với đơn vị "mixed"', 'only used with unit "mixed"')
    cutoff = None
    raw_cutoff = r.get(time, "cutoff", "time.cutoff", required=False)
    if raw_cutoff is not _MISSING and raw_cutoff != "":
        match = CUTOFF_RE.match(raw_cutoff) if isinstance(raw_cutoff, str) else None
        if match:
            cutoff = dt.time(int(match[1]), int(match[2]))
        else:
            r.error(
                "time.cutoff",
                f'giờ chốt "{raw_cutoff}" không hợp lệ (HH:MM, ví dụ 15:00)',
                f'invalid cut-off "{raw_cutoff}" (HH:MM, e.g. 15:00)',
            )
    description = r.text(time, "description", "time.description")
    return unit, value, parts, cutoff, description


def _read_fee(r: _Reader) -> Callable[[dict, str], FeeData]:
    def build(item: dict, path: str) -> FeeData:
        r.unknown_keys(item, {"name", "amount", "description"}, f"{path}.")
        amount = r.get(item, "amount", f"{path}.amount", required=True)
        if amount is not _MISSING and (isinstance(amount, bool) or not isinstance(amount, int) or amount < 0):
            r.error(
                f"{path}.amount",
                f"mức thu {amount} phải là số nguyên không âm (đồng)",
                f"amount {amount} must be a whole number of VND ≥ 0",
            )
        return FeeData(
            name=r.text(item, "name", f"{path}.name", required=True, max_length=255),
            amount=amount if isinstance(amount, int) and not isinstance(amount, bool) and amount >= 0 else 0,
            description=r.text(item, "description", f"{path}.description"),
        )

    return build


def _read_document(r: _Reader) -> Callable[[dict, str], DocumentData]:
    keys = {"name", "originals", "copies", "mandatory", "form_name", "form_url", "note"}

    def build(item: dict, path: str) -> DocumentData:
        r.unknown_keys(item, keys, f"{path}.")
        return DocumentData(
            name=r.text(item, "name", f"{path}.name", required=True),
            originals=r.integer(item, "originals", f"{path}.originals", default=1, maximum=32767),
            copies=r.integer(item, "copies", f"{path}.copies", default=0, maximum=32767),
            mandatory=r.boolean(item, "mandatory", f"{path}.mandatory", default=True),
            form_name=r.text(item, "form_name", f"{path}.form_name", max_length=255),
            form_url=r.url(item, "form_url", f"{path}.form_url"),
            note=r.text(item, "note", f"{path}.note"),
        )

    return build


def _read_step(r: _Reader) -> Callable[[dict, str], StepData]:
    def build(item: dict, path: str) -> StepData:
        r.unknown_keys(item, {"name", "role", "budget", "description"}, f"{path}.")
        return StepData(
            name=r.text(item, "name", f"{path}.name", required=True, max_length=255),
            role=r.text(item, "role", f"{path}.role", max_length=20),
            budget=r.decimal(
                item,
                "budget",
                f"{path}.budget",
                required=False,
                positive=False,
                below=100_000,
                default=Decimal(0),
            ),
            description=r.text(item, "description", f"{path}.description"),
        )

    return build


def _read_legal_basis(r: _Reader) -> Callable[[dict, str], LegalBasisData]:
    def build(item: dict, path: str) -> LegalBasisData:
        r.unknown_keys(item, {"number", "title", "date"}, f"{path}.")
        entry = LegalBasisData(
            number=r.text(item, "number", f"{path}.number"),
            title=r.text(item, "title", f"{path}.title"),
            date=r.date(item, "date", f"{path}.date", required=False) if item.get("date") else None,
        )
        if not entry.number and not entry.title:
            r.error(path, "cần số hiệu hoặc tên văn bản", "needs a number or a title")
        return entry

    return build


# What a case may refer to: the record's list, its item's Vietnamese noun, the English one.
_CASE_PARTS = {"documents": ("giấy tờ", "document"), "fees": ("khoản phí, lệ phí", "fee line")}


def _case_ref(r: _Reader, ref: Any, path: str, part: str, names: list[str]) -> int | None:
    """The position in the record's `part` a case's reference names: a 0-based index, or the exact name."""
    vi, en = _CASE_PARTS[part]
    if isinstance(ref, int) and not isinstance(ref, bool):
        if 0 <= ref < len(names):
            return ref
        r.error(path, f'không có {vi} vị trí {ref} trong "{part}"', f'no {en} at index {ref} in "{part}"')
        return None
    if not isinstance(ref, str):
        r.error(path, "phải là tên hoặc vị trí (số, tính từ 0)", "must be a name or a 0-based index")
        return None
    found = [i for i, name in enumerate(names) if name == ref.strip()]
    if not found:
        r.error(path, f'không có {vi} tên "{ref}" trong "{part}"', f'no {en} named "{ref}" in "{part}"')
        return None
    if len(found) > 1:
        r.error(path, f'nhiều {vi} cùng tên "{ref}": dùng vị trí', f'several {en}s named "{ref}": use the index')
        return None
    return found[0]


def _read_cases(r: _Reader, rec: dict, names: dict[str, list[str]]) -> tuple[CaseData, ...]:
    """The record's cases; each document or fee line belongs to at most one case (none: it applies to all)."""
    cases: list[CaseData] = []
    owner: dict[tuple[str, int], int] = {}
    for i, item in r.items(rec, "cases", "cases"):
        path = f"cases[{i}]"
        r.unknown_keys(item, {"name", "description", "documents", "fees"}, f"{path}.")
        name = r.text(item, "name", f"{path}.name", required=True, max_length=500)
        if name and name in (c.name for c in cases):
            r.error(f"{path}.name", f'trường hợp "{name}" bị trùng', f'duplicate case "{name}"')
        chosen: dict[str, tuple[int, ...]] = {}
        for part in _CASE_PARTS:
            positions = []
            for j, ref in r.items(item, part, f"{path}.{part}", kind=object):
                position = _case_ref(r, ref, f"{path}.{part}[{j}]", part, names[part])
                if position is None:
                    continue
                if (part, position) in owner and owner[part, position] != i:
                    r.error(
                        f"{path}.{part}[{j}]",
                        f"đã thuộc cases[{owner[part, position]}]; mỗi {_CASE_PARTS[part][0]} chỉ thuộc một "
                        f"trường hợp (không ghi vào trường hợp nào thì áp dụng cho mọi trường hợp)",
                        f"already in cases[{owner[part, position]}]; each {_CASE_PARTS[part][1]} belongs to one "
                        f"case at most (listed in none, it applies to every case)",
                    )
                elif position not in positions:
                    owner[part, position] = i
                    positions.append(position)
            chosen[part] = tuple(sorted(positions))
        description = r.text(item, "description", f"{path}.description")
        cases.append(CaseData(name=name, description=description, documents=chosen["documents"], fees=chosen["fees"]))
    return tuple(cases)


def _read_record(index: int, rec: dict, field_codes: set[str], errors: list[str], warnings: list[str]):
    raw_code = rec.get("code")
    label_code = raw_code if isinstance(raw_code, str) and raw_code.strip() else "?"
    r = _Reader(errors, warnings, (f"Bản ghi #{index} ({label_code})", f"Record #{index} ({label_code})"))
    before = len(errors)
    r.unknown_keys(rec, RECORD_KEYS)

    code = r.text(rec, "code", "code", required=True, max_length=40)
    if code and not CODE_RE.match(code):
        r.error(
            "code",
            f'mã "{code}" chỉ gồm chữ số, chữ cái và dấu chấm',
            f'code "{code}" may hold only 0-9, A-Z, dots',
        )
    name = r.text(rec, "name", "name", required=True, max_length=1000)
    field_code = r.text(rec, "field", "field", required=True)
    if field_code and field_code not in field_codes:
        r.error(
            "field",
            f'lĩnh vực "{field_code}" chưa được khai báo trong "fields"',
            f'field code "{field_code}" is not defined in "fields"',
        )
    levels: list[str] = []
    level_items = r.items(rec, "levels", "levels", required=True, kind=str)
    if "levels" in rec and isinstance(rec["levels"], list) and not rec["levels"]:
        r.error("levels", "cần ít nhất một cấp thực hiện", "needs at least one level")
    for i, level in level_items:
        if level not in Level.values:
            allowed = ", ".join(Level.values)
            r.error(
                f"levels[{i}]",
                f'giá trị "{level}" không hợp lệ (chọn: {allowed})',
                f'invalid value "{level}" (one of: {allowed})',
            )
        elif level not in levels:
            levels.append(level)

    unit, value, parts, cutoff, time_description = _read_time(r, rec)
    excluded = []
    for i, category in r.items(rec, "excluded_time_categories", "excluded_time_categories", kind=str):
        if category not in ExcludedTime.values:
            allowed = ", ".join(ExcludedTime.values)
            r.error(
                f"excluded_time_categories[{i}]",
                f'giá trị "{category}" không hợp lệ (chọn: {allowed})',
                f'invalid value "{category}" (one of: {allowed})',
            )
        elif category not in excluded:
            excluded.append(category)

    agencies = []
    for i, identifier in r.items(rec, "agencies", "agencies", kind=str):
        try:
            e_identifier_validator(identifier)
        except ValidationError:
            r.error(
                f"agencies[{i}]",
                f'mã định danh "{identifier}" không hợp lệ',
                f'invalid electronic identifier "{identifier}"',
            )
        else:
            agencies.append(identifier)

    source_title, source_url = "", ""
    source = r.get(rec, "source", "source", required=False)
    if source is not _MISSING:
        if isinstance(source, dict):
            r.unknown_keys(source, {"title", "url"}, "source.")
            source_title = r.text(source, "title", "source.title", max_length=500)
            source_url = r.url(source, "url", "source.url")
        else:
            r.error("source", "phải là một đối tượng", "must be an object")

    steps = r.each(rec, "steps", "steps", _read_step(r))
    effective_from = r.date(rec, "effective_from", "effective_from", required=True)
    abolished_on = r.date(rec, "abolished_on", "abolished_on", required=False)
    if effective_from and abolished_on and abolished_on < effective_from:
        r.error("abolished_on", "ngày bãi bỏ trước ngày hiệu lực", "abolition date is before effective_from")

    fees = r.each(rec, "fees", "fees", _read_fee(r))
    documents = r.each(rec, "documents", "documents", _read_document(r))
    data = ProcedureData(
        name=name,
        field_code=field_code,
        levels=tuple(levels),
        time_unit=unit,
        online_mode=r.choice(rec, "online_mode", "online_mode", OnlineMode.values),
        time_value=value,
        time_parts=parts,
        cutoff_time=cutoff,
        time_description=time_description,
        procedure_type=r.text(rec, "procedure_type", "procedure_type", max_length=255),
        implementing_agency=r.text(rec, "implementing_agency", "implementing_agency"),
        competent_agency=r.text(rec, "competent_agency", "competent_agency"),
        coordinating_agency=r.text(rec, "coordinating_agency", "coordinating_agency"),
        submission_place=r.text(rec, "submission_place", "submission_place"),
        applicants=r.text(rec, "applicants", "applicants"),
        sequence=r.text(rec, "sequence", "sequence"),
        channels=r.text(rec, "channels", "channels"),
        supplement_clock_mode=r.choice(
            rec, "supplement_clock_mode", "supplement_clock_mode", ClockMode.values, default=ClockMode.RESTART
        ),
        excluded_time_categories=tuple(excluded),
        financial_obligation_excluded=r.boolean(
            rec, "financial_obligation_excluded", "financial_obligation_excluded", default=False
        ),
        acceptance_window_hours=r.decimal(
            rec,
            "acceptance_window_hours",
            "acceptance_window_hours",
            required=False,
            positive=True,
            below=1000,
            default=Decimal(8),
        ),
        fees=fees,
        fee_description=r.text(rec, "fee_description", "fee_description"),
        documents=documents,
        conditions=r.text(rec, "conditions", "conditions"),
        legal_basis=r.each(rec, "legal_basis", "legal_basis", _read_legal_basis(r)),
        result=r.text(rec, "result", "result"),
        location_independent=r.boolean(rec, "location_independent", "location_independent", default=False),
        announcing_decision=r.text(rec, "announcing_decision", "announcing_decision", max_length=255),
        steps=steps,
        source_title=source_title,
        source_url=source_url,
        min_loa=r.integer(rec, "min_loa", "min_loa", default=0, maximum=2),
        cases=_read_cases(r, rec, {"documents": [d.name for d in documents], "fees": [f.name for f in fees]}),
    )
    if unit and value is not None and all(isinstance(s.budget, Decimal) for s in steps):
        try:
            step_budgets_check(time_unit=unit, time_value=value, budgets=(s.budget for s in steps))
        except StepBudgetError as error:
            total, allowed = format(error.total.normalize(), "f"), format(error.allowed.normalize(), "f")
            r.error(
                "steps",
                f"tổng thời gian các bước ({total}) vượt quá thời hạn giải quyết ({allowed} {TimeUnit(unit).label})",
                f"step budgets total {total}, more than the time limit of {allowed} {unit}",
            )
    if len(errors) > before or effective_from is None:
        return None
    return CatalogueRecord(
        index=index,
        code=code,
        data=data,
        effective_from=effective_from,
        agencies=tuple(agencies),
        abolished_on=abolished_on,
    )


def catalogue_parse(raw: Any) -> Catalogue:
    """Validate the whole parsed file: typed records, or CatalogueError listing every problem."""
    errors: list[str] = []
    warnings: list[str] = []
    top = _Reader(errors, warnings, ("Tệp", "File"))
    if not isinstance(raw, dict):
        raise CatalogueError(["Tệp phải là một đối tượng JSON / The file must be a JSON object"])
    top.unknown_keys(raw, {"format", "fields", "procedures", "note", "description"})
    if raw.get("format") != FORMAT:
        top.error("format", f'phải là "{FORMAT}"', f'must be "{FORMAT}"')

    fields: dict[str, FieldEntry] = {}
    for i, item in top.items(raw, "fields", "fields", required=True):
        code = top.text(item, "code", f"fields[{i}].code", required=True, max_length=40)
        name = top.text(item, "name", f"fields[{i}].name", required=True, max_length=255)
        if code in fields:
            top.error(f"fields[{i}].code", f'mã lĩnh vực "{code}" bị trùng', f'duplicate field code "{code}"')
        elif code:
            fields[code] = FieldEntry(code=code, name=name)

    records: list[CatalogueRecord] = []
    first_index: dict[str, int] = {}
    raw_records = top.get(raw, "procedures", "procedures", required=True)
    if raw_records is not _MISSING and not isinstance(raw_records, list):
        top.error("procedures", "phải là một danh sách", "must be a list")
    elif raw_records is not _MISSING:
        for index, rec in enumerate(raw_records, start=1):
            if not isinstance(rec, dict):
                errors.append(f"Bản ghi #{index}: phải là một đối tượng / Record #{index}: must be an object")
                continue
            code = rec.get("code")
            if isinstance(code, str) and code.strip():
                code = code.strip()
                if code in first_index:
                    errors.append(
                        f'Bản ghi #{index} ({code}), trường "code": mã trùng với bản ghi '
                        f"#{first_index[code]} / "
                        f'Record #{index} ({code}), field "code": duplicate code, already used by record '
                        f"#{first_index[code]}"
                    )
                else:
                    first_index[code] = index
            record = _read_record(index, rec, set(fields), errors, warnings)
            if record is not None:
                records.append(record)
    if errors:
        raise CatalogueError(errors)
    return Catalogue(fields=tuple(fields.values()), records=tuple(records), warnings=tuple(warnings))


# --- Applying -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Action:
    record: CatalogueRecord
    kind: str  # create | new_version | unchanged | abolish | create_abolished
    current: ProcedureVersion | None


def _plan(catalogue: Catalogue) -> list[_Action]:
    """Compare every record with what is stored; refuse records the stored history cannot take."""
    stored = {
        p.code: p
        for p in Procedure.objects.select_related("current_version").filter(
            code__in=[r.code for r in catalogue.records]
        )
    }
    errors: list[str] = []
    actions = []
    for record in catalogue.records:
        digest = content_hash(record.data, effective_from=record.effective_from)
        procedure = stored.get(record.code)
        current = procedure.current_version if procedure else None
        vi, en = record.label
        if current is None:
            kind = "create_abolished" if record.abolished_on else "create"
        elif record.abolished_on:
            if procedure.abolished_on == record.abolished_on:
                kind = "unchanged"
            elif record.abolished_on < current.effective_from:
                errors.append(
                    f'{vi}, trường "abolished_on": trước ngày hiệu lực {current.effective_from:%d/%m/%Y} '
                    f'của phiên bản hiện hành / {en}, field "abolished_on": before the current version\'s '
                    f"effective date {current.effective_from.isoformat()}"
                )
                continue
            else:
                kind = "abolish"
        elif current.content_hash == digest:
            kind = "unchanged"
        elif record.effective_from <= current.effective_from:
            # A dossier keeps the version it was submitted under, so a changed text needs its own start date.
            errors.append(
                f'{vi}, trường "effective_from": nội dung đã thay đổi nên phiên bản mới phải có hiệu lực sau '
                f"{current.effective_from:%d/%m/%Y} (phiên bản {current.number}) / "
                f'{en}, field "effective_from": the content changed, so the new version must take effect '
                f"after {current.effective_from.isoformat()} (version {current.number})"
            )
            continue
        else:
            kind = "new_version"
        actions.append(_Action(record=record, kind=kind, current=current))
    if errors:
        raise CatalogueError(errors)
    return actions


@transaction.atomic
def catalogue_apply(*, catalogue: Catalogue) -> ImportReport:
    """Write a validated catalogue in one transaction (any refusal rolls all of it back)."""
    report = ImportReport(warnings=list(catalogue.warnings))
    for entry in catalogue.fields:
        _field, outcome = field_upsert(code=entry.code, name=entry.name)
        report.fields_created += outcome == "created"
        report.fields_updated += outcome == "updated"
    actions = _plan(catalogue)

    unknown_agencies: dict[str, list[str]] = {}
    for action in actions:
        record = action.record
        try:
            if action.kind in {"create", "create_abolished", "new_version"}:
                version = procedure_publish_version(
                    procedure_code=record.code, data=record.data, effective_from=record.effective_from
                )
                report.new_versions += action.kind == "new_version"
                report.created += action.kind != "new_version"
            else:
                version = action.current
                report.unchanged += action.kind == "unchanged"
            if action.kind in {"abolish", "create_abolished"}:
                procedure_abolish(procedure_code=record.code, on=record.abolished_on)
                report.abolished += 1
        except ProcedureError as error:
            # Validation above should have caught it; refuse the file rather than half-import it.
            vi, en = record.label
            raise CatalogueError([f"{vi}: {error.message} / {en}: refused by the catalogue rules"]) from error
        sync = procedure_agencies_sync(version=version, identifiers=record.agencies)
        report.agency_links_changed += sync.changed
        for identifier in sync.unknown:
            unknown_agencies.setdefault(identifier, []).append(record.code)
    for identifier, codes in sorted(unknown_agencies.items()):
        listed = ", ".join(codes[:5]) + (f" (+{len(codes) - 5})" if len(codes) > 5 else "")
        report.warnings.append(
            f'Cơ quan "{identifier}" chưa có trong danh mục cơ quan, chưa liên kết với {listed}; sẽ tự liên kết '
            f"khi cơ quan được tạo (seed_demo) / "
            f'Agency "{identifier}" not found, not linked to {listed}; linked once the agency is created (seed_demo)'
        )
    # Versions outside this file may still wait for agencies created since the last import.
    report.agency_links_changed += procedures_link_pending_agencies()
    return report


def catalogue_import(*, path: Path | None = None) -> ImportReport:
    """Read, validate and apply the catalogue at `path` (default: procedures/data/catalogue.json)."""
    catalogue = catalogue_parse(catalogue_read(path or DEFAULT_PATH))
    return catalogue_apply(catalogue=catalogue)
