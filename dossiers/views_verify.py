"""The public page that proves a result was issued by the portal (/xac-minh/<token>/), reached from the QR code
printed on the result or from the owner's dossier page (docs/domain.md §4.1 T15, §11)."""

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dossiers.verification import TokenInvalid, code_masked, result_verify, upload_sha256


class ResultCheckForm(forms.Form):
    """A file to compare with the issued one; hashed in the request, never stored."""

    file = forms.FileField(label=gettext_lazy("Tệp văn bản cần kiểm tra"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.DOSSIER_MAX_FILE_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("Tệp lớn hơn {limit}, không thể là văn bản đã cấp.").format(limit=filesizeformat(limit))
            )
        return upload


def _province() -> str:
    """ "Tỉnh Thanh Hóa" as it reads inside a sentence: "tỉnh Thanh Hóa"."""
    name = settings.PROVINCE_NAME
    return name[:1].lower() + name[1:]


@never_cache
@require_http_methods(["GET", "POST"])
def result_verify_page(request, token: str):
    """Xác minh văn bản kết quả: public, no sign-in, nothing written or logged.

    Shows what proves the result — issuing body, number, date, signer, procedure, the dossier code partly masked,
    the file's SHA-256 and its digital signatures as verified at issue (signed / trusted / intact) — and never the
    applicant's name, ID or address, nor the file. A POSTed file is hashed here and compared with the issued
    SHA-256 ("Khớp" / "Không khớp"); it is not stored (Django drops its temporary file with the request) and may not
    exceed the portal's file size limit. A malformed, tampered or unknown token is a Vietnamese 404 page.

    Two kinds of token (dossiers/verification.py): the dossier page links to the file's own token (its id signed
    with its SHA-256). The PDF the portal generates cannot print its own hash — it is known only after rendering,
    and the file's row only after storing, both after the text is laid out — so the generated PDF prints a token
    naming the dossier, signed with its code, and this page looks up the dossier's latest result file. A signed PDF
    uploaded by the head cannot be changed to carry a link without breaking its signature: its link is on the
    dossier page, for the owner to share.
    """
    try:
        verified = result_verify(token)
    except TokenInvalid:
        return render(request, "dossiers/result_verify_invalid.html", status=404)
    posted = request.method == "POST"
    form = ResultCheckForm(request.POST, request.FILES) if posted else ResultCheckForm()
    check = None
    if posted and form.is_valid():
        digest = upload_sha256(form.cleaned_data["file"])
        check = {"match": digest == verified.file.sha256, "sha256": digest}
    return render(
        request,
        "dossiers/result_verify.html",
        {
            "verified": verified,
            "dossier": verified.dossier,
            "file": verified.file,
            "signatures": list(verified.file.signatures.all()),
            "code_masked": code_masked(verified.dossier.code),
            "province": _province(),
            "form": form,
            "check": check,
        },
        status=400 if posted and check is None else 200,
    )
