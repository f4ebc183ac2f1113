"""The error bodies the API answers, documented once for drf-spectacular.

Every refusal has the body `{"code", "message", "field"}` (dossiers/api_errors.py): `code` is stable for programs,
`message` is in Vietnamese (or English with `Accept-Language: en`), `field` names the input at fault or is null.
"""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True, required=False)


_DESCRIPTIONS = {
    400: "Dữ liệu không hợp lệ / invalid input",
    401: "Chưa đăng nhập / not authenticated",
    403: "Không có quyền / not allowed",
    404: "Không tìm thấy / not found",
    409: "Xung đột trạng thái / conflicting state",
    410: "Không còn nữa / gone",
    413: "Tệp quá lớn / too large",
    429: "Quá nhiều yêu cầu / too many requests",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """`@extend_schema(responses={200: X, **error_responses(400, 404, 409)})`."""
    return {code: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[code]) for code in codes}
