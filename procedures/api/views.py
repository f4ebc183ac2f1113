"""Read-only catalogue API: the public pages' selectors, as JSON. Anyone may read it."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny

from procedures.api.serializers import ProcedureDetailSerializer, ProcedureListSerializer
from procedures.forms import ProcedureSearchForm
from procedures.selectors import procedure_detail, procedure_search


@extend_schema(
    parameters=[
        OpenApiParameter("q", OpenApiTypes.STR, description="Tên hoặc mã thủ tục (không phân biệt dấu, hoa/thường)"),
        OpenApiParameter("field", OpenApiTypes.STR, description="Mã lĩnh vực"),
        OpenApiParameter("level", OpenApiTypes.STR, enum=["province", "department", "commune", "central", "district"]),
        OpenApiParameter("agency", OpenApiTypes.STR, description="Mã định danh điện tử của cơ quan"),
        OpenApiParameter("online_mode", OpenApiTypes.STR, enum=["full", "partial", "none"]),
        OpenApiParameter(
            "everywhere",
            OpenApiTypes.BOOL,
            description="Tìm cả trong giấy tờ, kết quả, căn cứ pháp lý khi đã có thủ tục có tên chứa đủ các từ",
        ),
    ]
)
class ProcedureListAPI(generics.ListAPIView):
    """In-force procedures, best match first, with the same search and filters as /procedures/."""

    serializer_class = ProcedureListSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        form = ProcedureSearchForm(self.request.query_params)
        errors = form.query_errors()
        if errors:
            # 400 naming the parameter, as the page refuses it: never the whole catalogue for a bad query.
            raise ValidationError({"q": errors})
        return procedure_search(**form.filters())


class ProcedureDetailAPI(generics.RetrieveAPIView):
    """One in-force procedure with documents, fees, steps and legal basis; 404 when unknown or abolished."""

    serializer_class = ProcedureDetailSerializer
    permission_classes = [AllowAny]

    def get_object(self):
        version = procedure_detail(code=self.kwargs["code"])
        if version is None:
            raise Http404
        return version
