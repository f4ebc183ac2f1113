"""A local fake of the national SSO (VNeID) that speaks OpenID Connect, for development and tests.

Off unless settings.VNEID_FAKE_ENABLED (every URL then answers 404), like the payment platform's fake. The
portal's settings point at its four endpoints (no discovery document):

- authorize (GET): a page listing test identities (IDENTITIES) at levels of assurance 1 and 2; picking one sends
  the browser back to the redirect_uri with a one-time code and the state, as the real provider does;
- token (POST): checks the client id and secret, the code (single use, 5 minutes), its redirect_uri and client;
  answers an access token and an id_token signed RS256 (`sub`, `aud`, `iss`, `nonce`, `exp`);
- userinfo (GET, Bearer access token): the identity's claims, with the names of docs/domain.md §10.3;
- jwks (GET): the public key, whose private half is generated once into settings.VNEID_FAKE_KEY_PATH.

Codes and access tokens live in the cache, which every process of the portal shares.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

app_name = "vneid_fake"

CODE_SECONDS = 300
TOKEN_SECONDS = 600

# Test identities, as the national provider returns them (docs/domain.md §10.3). Made-up people and numbers.
IDENTITIES: dict[str, dict] = {
    "cong-dan-muc-2": {
        "sub": "fake-vneid-0001",
        "LoaiTaiKhoan": 1,
        "SoDinhDanh": "038090012345",
        "HoVaTen": "Nguyễn Văn An",
        "NgayThangNamSinh": "15/04/1990",
        "GioiTinh": "Nam",
        "ThuongTru": "25 Trần Phú, phường Hạc Thành, tỉnh Thanh Hóa",
        "NoiOHienNay": "25 Trần Phú, phường Hạc Thành, tỉnh Thanh Hóa",
        "ThuDienTu": "an.nguyen@example.vn",
        "SoDienThoai": "0912000111",
        "TechID": "TECH-0001",
        "loAs": "2",
    },
    "cong-dan-muc-1": {
        "sub": "fake-vneid-0002",
        "LoaiTaiKhoan": 1,
        "SoDinhDanh": "038195006789",
        "HoVaTen": "Trần Thị Bình",
        "NgayThangNamSinh": "1995-08-02",
        "GioiTinh": "Nữ",
        "NoiOHienNay": "12 Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa",
        "SoDienThoai": "0988 000 222",
        "TechID": "TECH-0002",
        "loAs": "1",
    },
    "doanh-nghiep": {
        "sub": "fake-vneid-0003",
        "LoaiTaiKhoan": 2,
        "SoDinhDanh": "038085004321",
        "HoVaTen": "Lê Văn Cường",
        "MaSoDoanhNghiep": "2801234567",
        "MaSoThue": "2801234567",
        "TenDoanhNghiep": "Công ty TNHH Thương mại Hạc Thành",
        "ThuDienTu": "lienhe@hacthanh.example.vn",
        "TechID": "TECH-0003",
        "loAs": "2",
    },
}

_key_lock = threading.Lock()
_key = None


def signing_key() -> rsa.RSAPrivateKey:
    """The provider's RSA key: read from VNEID_FAKE_KEY_PATH, or generated there once (mode 0600)."""
    global _key
    with _key_lock:
        if _key is None:
            key_path = settings.VNEID_FAKE_KEY_PATH
            if not key_path.exists():
                key_path.parent.mkdir(parents=True, exist_ok=True)
                new = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                pem = new.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
                temporary = key_path.with_suffix(f".{secrets.token_hex(4)}.tmp")
                temporary.write_bytes(pem)
                temporary.chmod(0o600)
                temporary.replace(key_path)  # atomic: a concurrent process reads a whole key or none
            _key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return _key


def token_signing_key() -> rsa.RSAPrivateKey:
    """The key id_tokens are signed with: the published one (a test swaps it to forge a token)."""
    return signing_key()


def key_id() -> str:
    public = (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return base64.urlsafe_b64encode(hashlib.sha256(public).digest()[:12]).decode().rstrip("=")


def _enabled() -> None:
    if not settings.VNEID_FAKE_ENABLED:
        raise Http404


def _issuer() -> str:
    return settings.VNEID_ISSUER or "vneid-fake"


@require_http_methods(["GET", "POST"])
@csrf_exempt  # the provider's own page: the portal's CSRF token is not its business; the state protects the flow
def authorize(request):
    """Pick a test identity; back to the portal with a code and the state (or error=access_denied)."""
    _enabled()
    params = request.POST if request.method == "POST" else request.GET
    request_params = {k: params.get(k, "") for k in ("client_id", "redirect_uri", "state", "nonce", "scope")}
    if params.get("client_id") != settings.OIDC_RP_CLIENT_ID or not params.get("redirect_uri"):
        return HttpResponseBadRequest("unknown client or no redirect_uri")
    if request.method == "GET":
        return render(
            request, "accounts/vneid_fake_authorize.html", {"identities": IDENTITIES, "params": request_params}
        )
    back = {"state": params.get("state", "")}
    chosen = IDENTITIES.get(params.get("identity", ""))
    if chosen is None:
        back["error"] = "access_denied"
    else:
        back["code"] = secrets.token_urlsafe(24)
        cache.set(
            f"vneid-fake:code:{back['code']}",
            {
                "identity": params["identity"],
                "nonce": params.get("nonce", ""),
                "client_id": params["client_id"],
                "redirect_uri": params["redirect_uri"],
            },
            CODE_SECONDS,
        )
    separator = "&" if "?" in params["redirect_uri"] else "?"
    return HttpResponseRedirect(f"{params['redirect_uri']}{separator}{urlencode(back)}")


def _token_error(error: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": error}, status=status)


def _client_credentials(request) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        client_id, _sep, secret = base64.b64decode(header[6:]).decode().partition(":")
        return client_id, secret
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


@csrf_exempt  # a server-to-server call authenticated by the client secret
@require_POST
def token(request):
    """The code for tokens: client authenticated, code single-use and bound to its client and redirect_uri."""
    _enabled()
    client_id, secret = _client_credentials(request)
    if client_id != settings.OIDC_RP_CLIENT_ID or not secrets.compare_digest(
        secret.encode(), settings.OIDC_RP_CLIENT_SECRET.encode()
    ):
        # RFC 6749 §5.2: 401 for a client that authenticated with the Authorization header, else 400.
        return _token_error("invalid_client", 401 if "Authorization" in request.headers else 400)
    if request.POST.get("grant_type") != "authorization_code":
        return _token_error("unsupported_grant_type")
    key = f"vneid-fake:code:{request.POST.get('code', '')}"
    grant = cache.get(key)
    cache.delete(key)
    if grant is None or grant["client_id"] != client_id or grant["redirect_uri"] != request.POST.get("redirect_uri"):
        return _token_error("invalid_grant")
    access_token = secrets.token_urlsafe(32)
    cache.set(f"vneid-fake:token:{access_token}", grant["identity"], TOKEN_SECONDS)
    now = int(time.time())
    claims = {
        "iss": _issuer(),
        "sub": IDENTITIES[grant["identity"]]["sub"],
        "aud": client_id,
        "iat": now,
        "exp": now + TOKEN_SECONDS,
        "nonce": grant["nonce"],
    }
    id_token = jwt.encode(claims, token_signing_key(), algorithm="RS256", headers={"kid": key_id()})
    return JsonResponse(
        {"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS, "id_token": id_token}
    )


@require_GET
def userinfo(request):
    """The identity's claims for a valid Bearer access token."""
    _enabled()
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return JsonResponse({"error": "invalid_request"}, status=400)  # RFC 6750 §3.1: no token at all
    identity = cache.get(f"vneid-fake:token:{header[7:]}")
    if identity is None:
        response = JsonResponse({"error": "invalid_token"}, status=401)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    return JsonResponse(IDENTITIES[identity], json_dumps_params={"ensure_ascii": False})


@require_GET
def jwks(request):
    """The provider's public key as a JSON Web Key Set."""
    _enabled()
    public = jwt.algorithms.RSAAlgorithm.to_jwk(signing_key().public_key(), as_dict=True)
    public.update({"kid": key_id(), "alg": "RS256", "use": "sig"})
    return JsonResponse({"keys": [public]})


urlpatterns = [
    path("authorize/", authorize, name="authorize"),
    path("token/", token, name="token"),
    path("userinfo/", userinfo, name="userinfo"),
    path("jwks/", jwks, name="jwks"),
]
