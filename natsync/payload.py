"""The bodies of the sync messages, built from the dossier's state at delivery (docs/domain.md §4.3, §10.1).

Not sent yet: `DSKetNoiCSDL` (the databases consulted are not recorded), file paths in `TaiLieuNop`, `Fax`.

Field names are the national portal's; dates are `yyyyMMddHHmmss` in local time, an absent date is "". The status
code is `TrangThaiHoSo` from `dossiers.workflow.SYNC_CODES`, or the sub-state's code (`SUBSTATE_SYNC`).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dossiers import workflow
from dossiers.models import Channel, Dossier, DossierEvent, DossierFile, SupplementRequest
from payments.models import PaymentStatus


def sync_time(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y%m%d%H%M%S") if moment else ""


def status_code(dossier: Dossier) -> int | None:
    """The national status code of the dossier now; None for a draft (not synced)."""
    if dossier.substate in workflow.SUBSTATE_SYNC:
        return workflow.SUBSTATE_SYNC[dossier.substate][0]
    return workflow.SYNC_CODES.get(dossier.status, (None, None))[0]


def sync_code(dossier: Dossier) -> str:
    """`MaHoSo`: a dossier that came from the national portal is reported under the code the portal gave it."""
    inbound = getattr(
        dossier, "national_inbound", None
    )  # the reverse one-to-one's "does not exist" is an AttributeError
    return inbound.national_code if inbound else dossier.code


def dossier_for_sync(dossier_id: int) -> Dossier:
    return (
        Dossier.objects.select_related(
            "procedure_version__procedure",
            "procedure_version__field",
            "applicant",
            "receiving_agency",
            "processing_agency",
            "owner",
            "current_step__agency",
            "national_inbound",
        )
        .prefetch_related("applicant__identities", "documents", "fee_lines")
        .get(pk=dossier_id)
    )


def _documents(dossier: Dossier) -> list[dict]:
    return [
        {
            "TepDinhKemId": str(document.pk),
            "TenTepDinhKem": document.name[:500],
            "IsDeleted": False,
            "MaThanhPhanHoSo": str(document.required_document_id or ""),
            "DuocSoHoa": bool(document.digitisation),
        }
        for document in dossier.documents.all()
    ]


def _fees(dossier: Dossier) -> list[dict]:
    return [
        {"TenPhiLePhi": line.name, "MaPhiLePhi": str(line.pk), "HinhThucThu": dossier.fee_mode, "Gia": line.amount}
        for line in dossier.fee_lines.all()
    ]


def _supplements(dossier: Dossier) -> list[dict]:
    """The one supplement request of the dossier, if any (Decree 118/2025 Art. 11: everything asked at once)."""
    request = SupplementRequest.objects.filter(dossier=dossier).select_related("requested_by").first()
    if request is None:
        return []
    return [
        {
            "HoSoBoSungId": str(request.pk),
            "NguoiYeuCauBoSung": request.requested_by.full_name if request.requested_by_id else "",
            "NoiDungBoSung": request.reason[:2000],
            "NgayBoSung": sync_time(request.requested_at),
            "NgayTiepNhanBoSung": sync_time(request.accepted_at),
            "TrangThaiBoSung": 2 if request.accepted_at else 1 if request.supplied_at else 0,
            "NgayHenTraTruoc": sync_time(request.previous_due_at),
            "NgayHenTraMoi": sync_time(request.new_due_at),
        }
    ]


def _results(dossier: Dossier) -> list[dict]:
    files = DossierFile.objects.filter(dossier=dossier, kind=DossierFile.Kind.RESULT).order_by("id")
    return [
        {"TenGiayTo": f.original_name, "GiayToId": str(f.pk), "MaGiayToKetQua": dossier.result_number} for f in files
    ]


def dossier_body(dossier: Dossier) -> dict:
    """The dossier's sync fields (create and update carry the same body: the whole dossier as it is now)."""
    version = dossier.procedure_version
    applicant = dossier.applicant
    identities = list(applicant.identities.all())
    online = dossier.channel == Channel.ONLINE
    return {
        "MaHoSo": sync_code(dossier),
        "MaTTHC": version.procedure.code,
        "TenTTHC": version.name,
        "MaLinhVuc": version.field.code,
        "TenLinhVuc": version.field.name,
        "KenhThucHien": int(dossier.channel),
        "ChuHoSo": applicant.name,
        "LoaiDoiTuong": int(applicant.kind),
        "SoGiayToChuHoSo": identities[0].number if identities else "",
        "DinhDanhCHS": [{"LoaiDinhDanh": i.doc_type, "SoDinhDanh": i.number} for i in identities],
        "Email": applicant.email,
        "SoDienThoai": applicant.phone,
        "TrichYeuHoSo": dossier.summary[:1000],
        "NgayNopHoSo": sync_time(dossier.submitted_at or dossier.received_at),
        "NgayTiepNhan": sync_time(dossier.received_at),
        "NgayHenTra": sync_time(dossier.current_due_at),
        "TrangThaiHoSo": status_code(dossier),
        "NgayKetThucXuLy": sync_time(dossier.completed_at),
        "NgayTra": sync_time(dossier.returned_at),
        "NgayTuChoi": sync_time(dossier.refused_at),
        "HinhThuc": dossier.return_method,
        "DonViXuLy": dossier.processing_agency.name if dossier.processing_agency_id else "",
        "NoiNopHoSo": dossier.receiving_agency.name,
        "HoSoCoThanhPhanSoHoa": int(any(d.digitisation for d in dossier.documents.all())),
        "TaiLieuNop": _documents(dossier),
        "MaDoiTuong": (dossier.owner.vneid_tech_id if dossier.owner_id else "") if online else "",
        "TaiKhoanDuocXacThucVoiVNeID": int(bool(dossier.loa)),
        "DuocThanhToanTrucTuyen": int(dossier.payments.filter(state=PaymentStatus.PAID).exists()),
        "DanhSachLePhi": _fees(dossier),
        "DanhSachHoSoBoSung": _supplements(dossier),
        "DanhSachGiayToKetQua": _results(dossier),
    }


def progress_body(dossier: Dossier, event: DossierEvent) -> dict:
    """One processing row: who did what, when, in which unit, and the current step's statutory end."""
    step = dossier.current_step
    transition = workflow.TRANSITIONS.get(event.action)
    return {
        "MaHoSo": sync_code(dossier),
        "NguoiXuLy": event.actor.full_name if event.actor_id else "",
        "ChucDanh": event.actor_role,
        "ThoiDiemXuLy": sync_time(event.at),
        "PhongBanXuLy": step.agency.name if step else dossier.receiving_agency.name,
        "NoiDungXuLy": str(transition.label) if transition else event.action,
        "TrangThai": status_code(dossier),
        "NgayBatDau": sync_time(step.started_at if step else None),
        "NgayKetThucTheoQuyDinh": sync_time(step.due_at if step else None),
    }
