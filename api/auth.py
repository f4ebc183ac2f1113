"""How the API knows who calls: the site's own session (CSRF enforced by DRF) or a bearer token.

`Authorization: Bearer <prefix>.<secret>` (api/tokens.py). A token that is unknown, revoked, expired, or whose
user or integration is deactivated is a 401 with the error body, checked on every request. Token authentication
comes first in the settings so an anonymous call is answered 401 with `WWW-Authenticate: Bearer` (not 403).
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api.tokens import TokenRefused, token_check

KEYWORD = "Bearer"


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None  # not a token request: the session may still authenticate it
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(code="token_invalid")
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(code="token_invalid") from None
        try:
            token = token_check(raw)
        except TokenRefused as refused:
            raise exceptions.AuthenticationFailed(refused.message, code=refused.code) from None
        user = token.user
        # The token was issued after the second factor (or by an operator on the server): the person's staff
        # pages and API accept it as a verified session would.
        user.is_verified = lambda: True
        user.otp_device = None
        return user, token

    def authenticate_header(self, request):
        return KEYWORD


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "<prefix>.<secret>"}
