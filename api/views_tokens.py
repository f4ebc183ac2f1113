"""The signed-in person's own API tokens: list, issue (shown once), revoke. A staff member issues one only from
a session that passed the second factor (api/tokens.py); a token cannot issue another token."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import TokenAuthentication
from api.models import ApiToken
from api.pagination import IdCursorPagination
from api.schema import error_responses
from api.tokens import DEFAULT_DAYS, MAX_DAYS, token_issue_for_session, token_revoke_own


class TokenSerializer(serializers.ModelSerializer):
    """A token as its owner sees it later: never the digest, never the secret."""

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
        read_only_fields = fields


class TokenIssueSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    days = serializers.IntegerField(min_value=1, max_value=MAX_DAYS, required=False, default=DEFAULT_DAYS)


class IssuedSerializer(TokenSerializer):
    token = serializers.CharField(help_text=_("Chỉ hiển thị một lần"))

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class SignedIn(permissions.BasePermission):
    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            raise NotAuthenticated
        return True


class _SessionOnly(APIView):
    # Token authentication is listed so an anonymous call is a 401; a token-authenticated call is refused below.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [SignedIn]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if isinstance(request.auth, ApiToken) and request.method not in permissions.SAFE_METHODS:
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied(_("Mã truy cập chỉ được tạo và thu hồi từ phiên đăng nhập trên trang."))


@extend_schema(tags=["tokens"])
class TokenList(_SessionOnly, generics.ListAPIView):
    serializer_class = TokenSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user)

    @extend_schema(responses={200: TokenSerializer(many=True), **error_responses(401, 429)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=TokenIssueSerializer, responses={201: IssuedSerializer, **error_responses(400, 401, 403, 429)}
    )
    def post(self, request):
        data = TokenIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, raw = token_issue_for_session(request_user=request.user, **data.validated_data)
        token.token = raw
        return Response(IssuedSerializer(token).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["tokens"])
class TokenDetail(_SessionOnly):
    @extend_schema(responses={200: TokenSerializer, **error_responses(401, 403, 404, 429)})
    def delete(self, request, pk: int):
        return Response(TokenSerializer(token_revoke_own(user=request.user, token_id=pk)).data)
