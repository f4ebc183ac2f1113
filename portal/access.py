"""Who may open a staff URL, declared on the view itself (docs/conventions.md "Access").

`@staff_only(roles=[...], scope=...)` enforces the role half of the rule and records the whole rule on the view as
`view.access`; `@staff_or_owner(...)` does the same for the pages a citizen also opens for their own dossiers.
The other half, the scope, is kept by the view fetching through the user's scope (`dossiers_visible_to`, the
user's desk or agency); the declaration names it so the tests can check it:

- tests/portal/test_url_access.py fails for any URL that is neither public, nor the admin's, nor declared here;
- tests/desk/test_access_matrix.py requests every declared URL as an anonymous visitor, a citizen, staff of
  another agency and a province leader, and checks each is refused as the rule says.

A refusal never reveals an object: the role check runs before anything is fetched, so it cannot depend on
whether the object exists; outside the scope the view answers the same 404 as for a missing object.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.roles import FIGURES_ROLES, Role
from dossiers.permissions import actor_role
from dossiers.workflow import CITIZEN

# What the rows and objects of a page are limited to (the rule's second half):
DOSSIER = "dossier"  # one dossier (its files, forms, steps) or a list of them, through `dossiers_visible_to`
DESK = "desk"  # the user's own one-stop desk (its queue, intake, register)
AGENCY = "agency"  # the user's own agency (its open steps, its staff)
FIGURES = "figures"  # figures of the reader's scope, no personal data (stats.scope.figures_scope)
SCOPES = (DOSSIER, DESK, AGENCY, FIGURES, None)  # None: the page shows nothing of any agency

# Staff who open dossiers, their files, forms and actions: not a province leader, who follows figures, never
# personal data (docs/domain.md §2, §11).
DOSSIER_ROLES = (Role.DESK, Role.OFFICER, Role.HEAD, Role.ADMIN)


@dataclass(frozen=True)
class Access:
    """A view's declared rule: the staff roles it admits, the scope of what it shows, whether owners may open it."""

    roles: tuple[str, ...]
    scope: str | None
    owner: bool = False  # a citizen opens it for their own dossiers (a missing or other's object is 404)

    def admits(self, role: str | None) -> bool:
        if role == CITIZEN:
            return self.owner
        return role in self.roles


def _rule(roles: Iterable[str], scope: str | None, owner: bool) -> Access:
    roles = tuple(roles)
    unknown = [role for role in roles if role not in Role.values]
    if not roles or unknown:
        raise ValueError(f"An access rule needs staff roles from accounts.roles.Role; got {roles!r}")
    if scope not in SCOPES:
        raise ValueError(f"Unknown access scope {scope!r}; expected one of {SCOPES}")
    return Access(roles=roles, scope=scope, owner=owner)


def refused(request, access: Access, role: str | None):
    """403 with a short Vietnamese explanation: a leader is told why, anyone else who the page is for.

    A leader or supervisor asking for a dossier, its files or forms gets the plain 404 of a missing dossier: for
    them no dossier exists (§2, §11), and the answer cannot tell whether this one does.
    """
    if role in FIGURES_ROLES and access.scope == DOSSIER:
        raise Http404
    return render(
        request, "portal/forbidden.html", {"message": refusal_message(access, role), "role": role}, status=403
    )


def refusal_message(access: Access, role: str | None) -> str:
    """Why `role` may not open a page under `access`, in Vietnamese (the 403 page and the API's 403 body)."""
    if role in FIGURES_ROLES:
        message = _(
            "Tài khoản lãnh đạo và giám sát dùng để theo dõi số liệu tổng hợp. Hồ sơ, tệp đính kèm và biểu mẫu "
            "chứa dữ liệu cá nhân của người nộp nên chỉ cán bộ của cơ quan đang giữ hồ sơ được mở (nguyên tắc "
            "giới hạn mục đích xử lý dữ liệu cá nhân). Số liệu của phạm vi theo dõi có tại trang Số liệu."
        )
    elif not access.roles:
        message = _("Trang này chỉ dành cho tài khoản công dân.")
    else:
        message = _("Trang này chỉ dành cho: {roles}.").format(
            roles=", ".join(str(Role(role).label) for role in access.roles)
        )
    return message


def _denied(request, role: str, code: str) -> None:
    """A leader or supervisor asking for a dossier by code: recorded like any out-of-scope read (check 1)."""
    from dossiers.audit import request_client  # the engine imports this module: import it at call time
    from dossiers.selectors import denied_access_log

    denied_access_log(user=request.user, kind="dossier", ref=code, code=code, **request_client(request))


def _guard(access: Access) -> Callable:
    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            role = actor_role(request.user)
            if not access.admits(role):
                if role in FIGURES_ROLES and access.scope == DOSSIER and kwargs.get("code"):
                    _denied(request, role, kwargs["code"])
                return refused(request, access, role)
            return view(request, *args, **kwargs)

        wrapper.access = access
        return wrapper

    return decorator


def staff_only(*, roles: Iterable[str], scope: str | None) -> Callable:
    """Staff of `roles` only: anonymous → sign-in page, anyone else (citizens, other roles) → 403."""
    return _guard(_rule(roles, scope, owner=False))


def staff_or_owner(*, roles: Iterable[str], scope: str = DOSSIER) -> Callable:
    """Staff of `roles`, and citizens for their own dossiers (the view's selector makes others' a 404)."""
    return _guard(_rule(roles, scope, owner=True))


def citizen_only() -> Callable:
    """A citizen's page about themselves (their own account and profile): no staff role, no object of anyone else;
    anonymous → sign-in page, staff → 403."""
    return _guard(Access(roles=(), scope=None, owner=True))


def access_of(view: Callable) -> Access | None:
    """The rule declared on a view function (or a class-based view's class), None when there is none."""
    declared = getattr(view, "access", None)
    if declared is None:
        declared = getattr(getattr(view, "view_class", None), "access", None)
    return declared if isinstance(declared, Access) else None
