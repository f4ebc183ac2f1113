"""Writes on the calendar overrides: the only place that bumps the calendar version (docs/domain.md §5.2).

Each change runs in one transaction with the version counter row locked, so two administrators never get the
same version number, and the rows of earlier versions are only ever closed, never rewritten.
"""

import datetime as dt

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from workcalendar.models import CalendarChange, CalendarOverride, CalendarVersion, ChangeAction, OverrideKind


class CalendarChangeError(ValidationError):
    """A refused calendar change, with a message staff can read."""


def _lock_counter() -> CalendarVersion:
    """The version counter row, locked until the caller's transaction ends (created on first use).

    Every change takes this lock first, so the override rows read after it need no lock of their own.
    """
    CalendarVersion.objects.get_or_create(pk=CalendarVersion.SINGLETON_PK)
    return CalendarVersion.objects.select_for_update().get(pk=CalendarVersion.SINGLETON_PK)


def _bump(counter: CalendarVersion) -> int:
    counter.number += 1
    counter.save(update_fields=["number", "updated_at"])
    return counter.number


def calendar_override_set(
    *,
    date: dt.date,
    kind: OverrideKind | str,
    legal_basis: str,
    note: str = "",
    actor: AbstractBaseUser | None = None,
) -> CalendarOverride:
    """Declare `date` a day off or a working day from a new calendar version on (§5.2: overrides win).

    The override in force for the date, if any, is closed at the new version and a new row opened; an
    identical override already in force is returned unchanged without a new version.
    """
    if isinstance(date, dt.datetime) or not isinstance(date, dt.date):
        raise CalendarChangeError(_("Ngày điều chỉnh không hợp lệ."))
    if kind not in OverrideKind.values:
        raise CalendarChangeError(_("Loại ngày không hợp lệ: {kind}.").format(kind=kind))
    legal_basis = (legal_basis or "").strip()
    if not legal_basis:
        raise CalendarChangeError(_("Cần ghi căn cứ pháp lý của việc điều chỉnh ngày."))
    note = (note or "").strip()
    with transaction.atomic():
        counter = _lock_counter()
        previous = CalendarOverride.objects.current().filter(date=date).first()
        if previous is not None and (previous.kind, previous.legal_basis, previous.note) == (
            kind,
            legal_basis,
            note,
        ):
            return previous  # nothing changes: publish no empty version
        version = _bump(counter)
        if previous is not None:
            CalendarOverride.objects.filter(pk=previous.pk).update(version_to=version)
        override = CalendarOverride.objects.create(
            date=date, kind=kind, legal_basis=legal_basis, note=note, created_by=actor, version_from=version
        )
        CalendarChange.objects.create(
            version=version, date=date, action=ChangeAction.SET, reason=legal_basis, actor=actor
        )
    return override


def calendar_override_remove(*, date: dt.date, actor: AbstractBaseUser | None = None, reason: str) -> int:
    """Withdraw the override of `date` from a new calendar version on, so the package calendar applies again.

    Returns the new version number; the closed row stays for the versions it was in force (§5.2).
    """
    reason = (reason or "").strip()
    if not reason:
        raise CalendarChangeError(_("Cần ghi lý do bỏ điều chỉnh ngày."))
    with transaction.atomic():
        counter = _lock_counter()
        previous = CalendarOverride.objects.current().filter(date=date).first()
        if previous is None:
            raise CalendarChangeError(
                _("Ngày {date} không có điều chỉnh nào đang áp dụng.").format(date=date.strftime("%d/%m/%Y"))
            )
        version = _bump(counter)
        CalendarOverride.objects.filter(pk=previous.pk).update(version_to=version)
        CalendarChange.objects.create(
            version=version, date=date, action=ChangeAction.REMOVE, reason=reason, actor=actor
        )
    return version
