"""Validation of an action's input against the declaration of its transition (`workflow.Transition.fields`).

Runs before the engine changes anything: an unknown or misspelled parameter, a missing required one, a wrong type
or a value outside the allowed ones is refused naming the field (its key and its Vietnamese label).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from agencies.models import Agency
from dossiers.errors import DossierRefused
from dossiers.workflow import Field, Kind, Transition


def _refuse(field: Field, message: str, code: str) -> DossierRefused:
    return DossierRefused(message.format(label=field.label, name=field.name), code=code, field=field.name)


def _blank(field: Field, value: Any) -> bool:
    if field.kind == Kind.DOCUMENT_IDS and isinstance(value, list | tuple):
        return False  # "nothing checked" is an answer
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def clean_input(transition: Transition, params: dict[str, Any]) -> dict[str, Any]:
    """The validated, typed input of `transition`: declared names only, required ones present, values typed."""
    declared = {f.name: f for f in transition.fields}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise DossierRefused(
            _("Thao tác “{action}” không có thông tin “{name}”.").format(action=transition.label, name=unknown[0]),
            code="unknown_field",
            field=unknown[0],
        )
    cleaned: dict[str, Any] = {}
    for field in transition.fields:
        value = params.get(field.name)
        if _blank(field, value):
            if field.required and field.name == "note":
                raise DossierRefused(
                    _("Cần nêu rõ lý do cho thao tác “{action}”.").format(action=transition.label),
                    code="reason_required",
                    field="note",
                )
            if field.required:
                raise _refuse(field, _("Cần nhập “{label}”."), "required")
            continue
        cleaned[field.name] = _typed(field, value)
    return cleaned


def _typed(field: Field, value: Any) -> Any:  # noqa: C901 - one branch per declared kind
    invalid = _("“{label}” không hợp lệ.")
    kind = field.kind
    if kind == Kind.TEXT:
        if not isinstance(value, str):
            raise _refuse(field, invalid, "invalid")
        value = value.strip()
        if field.max_length and len(value) > field.max_length:
            raise DossierRefused(
                _("“{label}” dài quá {n} ký tự.").format(label=field.label, n=field.max_length),
                code="too_long",
                field=field.name,
            )
    elif kind == Kind.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _refuse(field, invalid, "invalid")
        if field.min_value is not None and value < field.min_value:
            raise _refuse(field, invalid, "invalid")
    elif kind == Kind.BOOL:
        if not isinstance(value, bool):
            raise _refuse(field, invalid, "invalid")
    elif kind == Kind.DATE:
        if isinstance(value, str):
            value = parse_date(value.strip())
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise _refuse(field, invalid, "invalid")
    elif kind == Kind.DATETIME:
        if isinstance(value, str):
            value = parse_datetime(value.strip())
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise _refuse(field, invalid, "invalid")
    elif kind == Kind.ITEMS:
        value = _items(field, value)
    elif kind in (Kind.IDS, Kind.DOCUMENT_IDS):
        value = _ids(field, value)
    elif kind == Kind.AGENCY:
        value = _instance(field, value, Agency)
    elif kind == Kind.USER:
        value = _instance(field, value, get_user_model())
    elif kind == Kind.FILE:
        value = _file(field, value)
    if field.choices and value not in {key for key, _label in field.choices}:
        raise DossierRefused(
            _("“{label}” chỉ nhận một trong các giá trị: {values}.").format(
                label=field.label, values=", ".join(str(label) for _key, label in field.choices)
            ),
            code="invalid_choice",
            field=field.name,
        )
    return value


def _items(field: Field, value: Any) -> list[dict]:
    if not isinstance(value, list | tuple):
        raise _refuse(field, _("“{label}” không hợp lệ."), "invalid")
    items = []
    for item in value:
        if isinstance(item, str):
            item = {"document": item}
        if not isinstance(item, dict) or not isinstance(item.get("document", ""), str):
            raise _refuse(field, _("“{label}” không hợp lệ."), "invalid")
        if item.get("document", "").strip():
            items.append({**item, "document": item["document"].strip()})
    if not items:
        raise _refuse(field, _("Cần nhập “{label}”."), "required")
    return items


def _ids(field: Field, value: Any) -> list[int]:
    """Distinct positive ids, sorted; digits in a string are accepted (a posted form), anything else is refused."""
    if not isinstance(value, list | tuple | set):
        raise _refuse(field, _("“{label}” không hợp lệ."), "invalid")
    ids = set()
    for item in value:
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item.strip())
        if isinstance(item, bool) or not isinstance(item, int) or item < 1:
            raise _refuse(field, _("“{label}” không hợp lệ."), "invalid")
        ids.add(item)
    return sorted(ids)


def _instance(field: Field, value: Any, model) -> Any:
    if isinstance(value, model):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        found = model.objects.filter(pk=value).first()
        if found is not None:
            return found
    raise _refuse(field, _("“{label}” không hợp lệ."), "invalid")


def _file(field: Field, value: Any) -> File:
    """An uploaded file that passes the portal's upload rules (dossiers/files.py) and is of an accepted type.

    Nothing is stored here: the handler stores it, in the transaction of the action.
    """
    from dossiers.files import PDF, FileRejected, original_name_clean, upload_check

    if not isinstance(value, File):
        raise _refuse(field, _("“{label}” không hợp lệ."), "invalid")
    name = original_name_clean(getattr(value, "name", ""))
    try:
        content_type, _size, _sha256 = upload_check(value, name)
    except FileRejected as rejected:
        if rejected.code != "file_type" or not field.accept:
            raise DossierRefused(rejected.messages[0], code=rejected.code, field=field.name) from None
        content_type = None
    if field.accept and content_type not in field.accept:
        if field.accept == (PDF,):
            message = _("Tệp “{name}” không phải là tệp PDF. “{label}” phải là tệp PDF (.pdf).")
        else:
            message = _("Tệp “{name}” không đúng định dạng cho “{label}”.")
        raise DossierRefused(message.format(name=name, label=field.label), code="file_type", field=field.name)
    return value
