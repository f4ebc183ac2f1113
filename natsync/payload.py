"""The bodies of the sync messages, built from the dossier's state at delivery (docs/domain.md §4.3, §10.1).

Field names are the national portal's; dates are `yyyyMMddHHmmss` in local time, an absent date is "". The status
code is `TrangThaiHoSo` from `dossiers.workflow.SYNC_CODES`, or the sub-state's code (`SUBSTATE_SYNC`).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dossiers import workflow
from dossiers.models import Dossier, DossierEvent


def sync_time(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y%m%d%H%M%S") if moment else ""


def status_code(dossier: Dossier) -> int | None:
    """The national status code of the dossier now; None for a draft (not synced)."""
    if dossier.substate in workflow.SUBSTATE_SYNC:
        return workflow.SUBSTATE_SYNC[dossier.substate][0]
    return workflow.SYNC_CODES.get(dossier.status, (None, None))[0]


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
        )
        .prefetch_related("applicant__identities", "documents")
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


def dossier_body(dossier: Dossier) -> dict:
    """The dossier's sync fields (create and update carry the same body: the whole dossier as it is now)."""
    version = dossier.procedure_version
    applicant = dossier.applicant
    identities = list(applicant.identities.all())
    return {
        "MaHoSo": dossier.code,
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
    }


def progress_body(dossier: Dossier, event: DossierEvent) -> dict:
    """One processing row: who did what, when, in which unit, and the current step's statutory end."""
    step = dossier.current_step
    transition = workflow.TRANSITIONS.get(event.action)
    return {
        "MaHoSo": dossier.code,
        "NguoiXuLy": event.actor.full_name if event.actor_id else "",
        "ChucDanh": event.actor_role,
        "ThoiDiemXuLy": sync_time(event.at),
        "PhongBanXuLy": step.agency.name if step else dossier.receiving_agency.name,
        "NoiDungXuLy": str(transition.label) if transition else event.action,
        "TrangThai": status_code(dossier),
        "NgayBatDau": sync_time(step.started_at if step else None),
        "NgayKetThucTheoQuyDinh": sync_time(step.due_at if step else None),
    }
