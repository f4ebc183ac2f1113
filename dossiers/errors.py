"""The engine's own errors: a small hierarchy that views and the API map to one status code each.

- `DossierRefused` (400): the rules refuse the action; a Vietnamese message, a stable `code`, and the input `field`
  concerned if any. `DossierForbidden` (403) is the refusal of a role that may not act.
- `DossierChanged` (409): someone changed the dossier since the page was shown; says by whom and when.
- `DossierNotFound` (404): no such dossier — and the same for a dossier outside the user's scope.

They are not Django form errors: a view maps them through `dossiers.middleware.DossierErrorMiddleware`, the API
through `dossiers.api_errors.exception_handler`.
"""

from __future__ import annotations


class DossierError(Exception):
    """Base of the engine's errors; `str(error)` is the message shown to the user as is (Vietnamese)."""

    status_code = 400
    default_code = "refused"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, **details):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code or self.default_code
        self.field = field
        self.details = details

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        body.update({k: v for k, v in self.details.items() if v is not None})
        return body

    # Older callers read `.messages` (a list), as on Django's ValidationError.
    @property
    def messages(self) -> list[str]:
        return [self.message]


class DossierRefused(DossierError):
    """The rules refuse the action (a wrong status, a missing reason, an unknown input …); nothing changed."""


class DossierForbidden(DossierRefused):
    """The user's role may not take this action on this dossier."""

    status_code = 403
    default_code = "forbidden"


class DossierChanged(DossierError):
    """Someone else changed the dossier between the page being shown and the action being sent."""

    status_code = 409
    default_code = "changed"


class DossierNotFound(DossierError):
    """No such dossier, or one the user may not see: the same answer for both (no existence oracle)."""

    status_code = 404
    default_code = "not_found"
