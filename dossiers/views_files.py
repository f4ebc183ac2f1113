"""Serving dossier files: only to users who may see the dossier, never cached.

`file_download` always answers an attachment. `file_inline` lets staff read a PDF, PNG or JPEG in the page
(the desk's review screen frames it); every other type still downloads.
"""

import logging

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dossiers.audit import request_client
from dossiers.files import FileNotServable, dossier_file_open
from dossiers.models import DossierFile
from dossiers.services import dossier_result_downloaded
from portal.access import DOSSIER, DOSSIER_ROLES, staff_or_owner

logger = logging.getLogger(__name__)

# Types a browser renders without running the upload's content as a page of this site: detected by content when
# the file was stored (dossiers/files.py), never taken from the uploader's name or header.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


def _serve(request, code: str, file_id: str, *, inline: bool):
    try:
        record = dossier_file_open(
            user=request.user, dossier_code=code, file_id=int(file_id), **request_client(request)
        )
    except FileNotServable as refusal:
        # Waiting for the malware scan (409: try again later), or deleted as infected (410); no bytes leave.
        pending = refusal.record.scan_status == DossierFile.ScanStatus.PENDING
        response = render(
            request,
            "dossiers/file_not_servable.html",
            {"record": refusal.record, "pending": pending},
            status=409 if pending else 410,
        )
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        handle = record.file.open("rb")
    except FileNotFoundError as error:
        logger.error("Dossier file %s has no stored object %s", record.pk, record.file.name)
        raise Http404(_("Không tìm thấy tệp hồ sơ.")) from error
    try:
        dossier_result_downloaded(file=record, user=request.user)
    except BaseException:
        handle.close()
        raise
    inline = inline and record.content_type in INLINE_TYPES
    response = FileResponse(
        handle, as_attachment=not inline, filename=record.original_name, content_type=record.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if inline:
        # Framed by this site's own review page only; every other response keeps the site-wide DENY. An image runs
        # nothing even if a browser were made to read it as a page (sandbox); Chromium's PDF viewer refuses to
        # start under `sandbox`, and the PDF's type was recognised from its bytes when it was stored.
        response["X-Frame-Options"] = "SAMEORIGIN"
        sandbox = "" if record.content_type == "application/pdf" else "sandbox; "
        response["Content-Security-Policy"] = f"{sandbox}frame-ancestors 'self'"
    # An attachment gets `Content-Security-Policy: sandbox` from portal.middleware.SecurityHeadersMiddleware.
    return response


@staff_or_owner(roles=DOSSIER_ROLES, scope=DOSSIER)
@require_GET
def file_download(request, code: str, file_id: str):
    """The stored bytes under the user's original name; someone else's dossier is the same 404 as none.

    The owner downloading the result of a dossier to be returned online is its return (T16, once): recorded
    after the stored object was found, before it is sent; a refusal (fees still due) sends nothing.
    """
    return _serve(request, code, file_id, inline=False)


@staff_or_owner(roles=DOSSIER_ROLES, scope=DOSSIER)
@require_GET
def file_inline(request, code: str, file_id: str):
    """The same bytes shown in the browser when they are a PDF, PNG or JPEG; any other type is an attachment."""
    return _serve(request, code, file_id, inline=True)
