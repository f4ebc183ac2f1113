"""A dossier file for a program: the pages' access-checked download (scoped, logged, `nosniff`, never cached), with
the refusals a program can act on as the error body instead of the pages' HTML."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _lazy
from rest_framework import status
from rest_framework.exceptions import APIException

from dossiers.views_files import _serve


class FileScanPending(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "scan_pending"
    default_detail = _lazy("Tệp đang chờ quét mã độc; vui lòng thử lại sau.")


class FileGone(APIException):
    status_code = status.HTTP_410_GONE
    default_code = "file_removed"
    default_detail = _lazy("Tệp đã bị xóa vì chứa mã độc.")


def file_download(request, code: str, file_id: str):
    """The file's bytes as an attachment; 409 `scan_pending` while the malware scan has not passed it, 410
    `file_removed` once it was found infected, the same 404 as a missing file outside the caller's scope."""
    response = _serve(getattr(request, "_request", request), code, file_id, inline=False)
    if response.status_code == 409:
        raise FileScanPending
    if response.status_code == 410:
        raise FileGone
    return response
