"""Realistic dossiers for the printed forms, built directly with the ORM (no services, no seed command).

The world: the demo province's agency tree, the small test catalogue, the provincial centre's desk with its
phone and hotline, staff at the centre and at the Department of Justice, and a judicial-record dossier that went
through a supplement request and an apology; beside it a refused dossier, a withdrawn one, and dossiers just
outside the register's period or of another desk.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from accounts.models import User
from accounts.roles import Role
from accounts.services import staff_assign
from agencies.models import Agency, OneStopDesk
from agencies.services import agency_tree_load
from dossiers.models import (
    Apology,
    Applicant,
    ApplicantIdentity,
    ApplicantKind,
    Channel,
    ClockState,
    DocumentForm,
    DocumentNumber,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierStep,
    FeeLine,
    FeeMode,
    Outcome,
    PaymentState,
    RegisterEntry,
    ReturnMethod,
    SupplementRequest,
    SupplementStage,
)
from dossiers.workflow import Status
from procedures.importer import catalogue_import
from procedures.models import ProcedureVersion

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CATALOGUE = Path(__file__).resolve().parent.parent / "procedures" / "data" / "catalogue_small.json"
CENTRE = "000.00.06.H56"
JUSTICE = "000.00.10.H56"
POLICE = "000.00.60.H56"
COMMUNE = "000.00.31.H56"
JUDICIAL_RECORD = "2.000488"
BUILDING_PERMIT = "1.013225"

MAIN_CODE = "000.00.06.H56-260302-0001"
REFUSED_CODE = "000.00.06.H56-260302-0002"
WITHDRAWN_CODE = "000.00.06.H56-260303-0001"
EARLY_CODE = "000.00.06.H56-260302-0003"
OUTSIDE_CODE = "000.00.06.H56-260304-0001"
BEFORE_CODE = "000.00.06.H56-260301-0001"
COMMUNE_CODE = "000.00.31.H56-260302-0001"


def at(text: str) -> dt.datetime:
    """A Vietnam-time moment from "YYYY-MM-DD HH:MM"."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


@dataclass
class PrintWorld:
    agencies: dict[str, Agency]
    desk: OneStopDesk
    version: ProcedureVersion
    permit_version: ProcedureVersion
    desk_officer: User
    officer: User
    head: User
    applicant: Applicant
    dossier: Dossier


def _staff(username: str, full_name: str, role: Role, agency: Agency, **extra) -> User:
    user = User.objects.create_user(username=username, password="Demo@2026", full_name=full_name)
    staff_assign(user=user, agency=agency, role=role, **extra)
    return user


def make_applicant(name: str, *, address: str, phone: str, email: str = "", personal_id: str = "") -> Applicant:
    applicant = Applicant.objects.create(
        kind=ApplicantKind.INDIVIDUAL, name=name, address=address, phone=phone, email=email
    )
    if personal_id:
        ApplicantIdentity.objects.create(applicant=applicant, doc_type="cccd", number=personal_id)
    return applicant


def _event(dossier: Dossier, action: str, moment: str, *, actor=None, from_status="", to_status="", **kw):
    return DossierEvent.objects.create(
        dossier=dossier,
        action=action,
        actor=actor,
        actor_role="desk" if actor is not None else "system",
        at=at(moment),
        from_status=from_status,
        to_status=to_status,
        **kw,
    )


def enter(dossier: Dossier, number: int, *, book: int = 1) -> RegisterEntry:
    """The dossier's line in its desk's register, as `dossiers.numbering` writes it at receipt."""
    return RegisterEntry.objects.create(
        dossier=dossier,
        desk=dossier.desk,
        year=dossier.received_at.year,
        book=book,
        number=number,
        entered_at=dossier.received_at,
    )


def number(dossier: Dossier, form_key: str, value: int, symbol: str, agency: Agency, issued: str) -> DocumentNumber:
    """A form's "Số: 12/HDHS", as `dossiers.numbering` stores it when the action is taken."""
    return DocumentNumber.objects.create(
        dossier=dossier,
        form_key=form_key,
        number=value,
        symbol=symbol,
        year=at(issued).year,
        agency=agency,
        issued_at=at(issued),
    )


def make_received(world: PrintWorld, *, code: str, received: str, applicant: Applicant, **fields) -> Dossier:
    """A counter dossier of the judicial-record procedure received by the centre's desk at `received`."""
    defaults = {
        "procedure_version": world.version,
        "receiving_agency": world.desk.agency,
        "desk": world.desk,
        "processing_agency": world.agencies[JUSTICE],
        "channel": Channel.COUNTER,
        "status": Status.RECEIVED,
        "clock_state": ClockState.RUNNING,
        "received_at": at(received),
        "duration_unit": "calendar_days",
        "duration_value": Decimal(10),
        "original_due_at": at(received) + dt.timedelta(days=10),
        "current_due_at": at(received) + dt.timedelta(days=10),
    }
    dossier = Dossier.objects.create(code=code, applicant=applicant, **{**defaults, **fields})
    _event(dossier, "receive_counter", received, actor=world.desk_officer, to_status=Status.RECEIVED)
    return dossier


@pytest.fixture
def print_world(db) -> PrintWorld:
    agencies = {agency.e_identifier: agency for agency in agency_tree_load()}
    catalogue_import(path=CATALOGUE)
    version = ProcedureVersion.objects.get(procedure__code=JUDICIAL_RECORD)
    permit_version = ProcedureVersion.objects.get(procedure__code=BUILDING_PERMIT)
    desk = OneStopDesk.objects.select_related("agency").get(agency=agencies[CENTRE])
    desk.address = "28 Đại lộ Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa"
    desk.phone = "0237.3.868.686"
    desk.hotline = "1900.8198"
    desk.save()

    desk_officer = _staff("hoa.desk", "Lê Thị Hoa", Role.DESK, agencies[CENTRE], desk=desk)
    officer = _staff("minh.tp", "Nguyễn Văn Minh", Role.OFFICER, agencies[JUSTICE])
    head = _staff("bao.tp", "Trần Quốc Bảo", Role.HEAD, agencies[JUSTICE], title="Giám đốc")

    applicant = make_applicant(
        "Nguyễn Thị Lan",
        address="12 Trần Phú, phường Hạc Thành, tỉnh Thanh Hóa",
        phone="0912345678",
        email="lan.nguyen@example.vn",
        personal_id="038190001234",
    )
    world = PrintWorld(agencies, desk, version, permit_version, desk_officer, officer, head, applicant, dossier=None)
    dossier = make_received(
        world,
        code=MAIN_CODE,
        received="2026-03-02 08:15",
        applicant=applicant,
        summary="Cấp Phiếu lý lịch tư pháp số 1 để bổ sung hồ sơ xin việc",
        status=Status.IN_PROCESSING,
        original_due_at=at("2026-03-12 08:15"),
        # Moved by the two-day supplement pause (T9–T10); the original appointment stays as it was.
        current_due_at=at("2026-03-16 08:15"),
        rescheduled_due_at=at("2026-03-18 10:00"),
        fee_mode=FeeMode.BEFORE,
        payment_state=PaymentState.PAID,
        return_method=ReturnMethod.COUNTER,
    )
    DossierDocument.objects.create(
        dossier=dossier, name="Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", form=DocumentForm.ORIGINAL
    )
    DossierDocument.objects.create(
        dossier=dossier, name="Bản sao Căn cước của người yêu cầu", form=DocumentForm.CERTIFIED, count=1
    )
    FeeLine.objects.create(dossier=dossier, name="Phí cung cấp thông tin lý lịch tư pháp", amount=200000)
    enter(dossier, 27)
    # The desk's own intake step, opened at receipt: no handover on the control sheet.
    DossierStep.objects.create(
        dossier=dossier,
        order=1,
        name="Tiếp nhận hồ sơ",
        agency=agencies[CENTRE],
        handler=desk_officer,
        started_at=at("2026-03-02 08:15"),
        finished_at=at("2026-03-02 14:00"),
        outcome=Outcome.ON_TIME,
    )
    DossierStep.objects.create(
        dossier=dossier,
        order=2,
        name="Phân công thụ lý",
        agency=agencies[JUSTICE],
        handler=head,
        started_at=at("2026-03-02 14:00"),
        due_at=at("2026-03-03 14:00"),
        finished_at=at("2026-03-02 16:30"),
        outcome=Outcome.EARLY,
    )
    DossierStep.objects.create(
        dossier=dossier,
        order=3,
        name="Tra cứu, xác minh",
        agency=agencies[JUSTICE],
        handler=officer,
        started_at=at("2026-03-02 16:30"),
        due_at=at("2026-03-05 16:30"),
        finished_at=at("2026-03-06 09:00"),
        outcome=Outcome.LATE,
    )
    DossierStep.objects.create(
        dossier=dossier,
        order=4,
        name="Xác minh thông tin nhân thân",
        agency=agencies[POLICE],
        started_at=at("2026-03-06 09:00"),
        due_at=at("2026-03-11 09:00"),
    )
    _event(dossier, "forward", "2026-03-02 14:00", actor=desk_officer, from_status="received")
    SupplementRequest.objects.create(
        dossier=dossier,
        stage=SupplementStage.APPRAISAL,
        items=[
            {
                "document": "Bản sao Căn cước của người yêu cầu",
                "form": "certified",
                "quantity": 1,
                "content": "Bản sao bị mờ, không đọc được số định danh cá nhân; nộp bản sao chứng thực rõ nét.",
            },
            "Ghi đầy đủ nơi cư trú từ đủ 14 tuổi trở lên tại mục 7 của Tờ khai.",
        ],
        reason="Thành phần hồ sơ chưa hợp lệ, chưa đủ thông tin để tra cứu lý lịch tư pháp.",
        legal_basis="Điều 45 Luật Lý lịch tư pháp số 28/2009/QH12",
        requested_at=at("2026-03-03 09:30"),
        requested_by=desk_officer,
        applicant_deadline=at("2026-03-24 17:00"),
        supplied_at=at("2026-03-05 10:00"),
        accepted_at=at("2026-03-05 10:20"),
    )
    number(dossier, "supplement", 12, "HDHS", agencies[CENTRE], "2026-03-03 09:30")
    Apology.objects.create(
        dossier=dossier,
        reason="Cơ quan phối hợp chưa có kết quả xác minh thông tin nhân thân của người yêu cầu.",
        new_due_at=at("2026-03-18 10:00"),
        issued_at=at("2026-03-13 09:00"),
        signer=head,
    )
    number(dossier, "apology", 5, "XL", agencies[JUSTICE], "2026-03-13 09:00")
    world.dossier = dossier
    return world


@pytest.fixture
def refused_dossier(print_world: PrintWorld) -> Dossier:
    """An online building-permit dossier sent to the centre, refused at intake: not its competence (T5)."""
    applicant = make_applicant(
        "Trần Văn Hùng", address="45 Bà Triệu, phường Hàm Rồng, tỉnh Thanh Hóa", phone="0987654321"
    )
    dossier = Dossier.objects.create(
        code=REFUSED_CODE,
        procedure_version=print_world.permit_version,
        applicant=applicant,
        receiving_agency=print_world.desk.agency,
        desk=print_world.desk,
        channel=Channel.ONLINE,
        status=Status.REFUSED,
        submitted_at=at("2026-03-02 07:40"),
        refused_at=at("2026-03-02 10:05"),
    )
    _event(
        dossier,
        "refuse",
        "2026-03-02 10:05",
        actor=print_world.desk_officer,
        from_status=Status.SUBMITTED,
        to_status=Status.REFUSED,
        note="Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ thuộc thẩm quyền của Ủy ban nhân dân cấp xã "
        "nơi có công trình; đề nghị nộp hồ sơ tại Ủy ban nhân dân phường Hàm Rồng.",
        data={"legal_basis": "Khoản 3 Điều 103 Luật Xây dựng số 50/2014/QH13", "document_number": "3/TCHS"},
    )
    number(dossier, "refusal", 3, "TCHS", print_world.agencies[CENTRE], "2026-03-02 10:05")
    return dossier


@pytest.fixture
def withdrawn_dossier(print_world: PrintWorld) -> Dossier:
    """A dossier stopped at the applicant's request made on the national portal, fee refunded (T14)."""
    applicant = make_applicant(
        "Lê Minh Tuấn",
        address="8 Nguyễn Trãi, xã Đông Sơn, tỉnh Thanh Hóa",
        phone="0903111222",
        personal_id="038095004321",
    )
    dossier = make_received(
        print_world,
        code=WITHDRAWN_CODE,
        received="2026-03-03 09:00",
        applicant=applicant,
        status=Status.WITHDRAWN,
        clock_state=ClockState.STOPPED,
        fee_mode=FeeMode.BEFORE,
        payment_state=PaymentState.REFUNDED,
    )
    _event(
        dossier,
        "withdraw",
        "2026-03-04 15:20",
        actor=print_world.desk_officer,
        from_status=Status.RECEIVED,
        to_status=Status.WITHDRAWN,
        note="Người yêu cầu xin rút hồ sơ để nộp lại sau.",
        data={
            "request_channel": "national_portal",
            "fee_refunded": True,
            "refund_amount": 200000,
            "refund_reason": "Hồ sơ chưa được chuyển tra cứu, xác minh",
            "document_number": "4/TB-DGQ",
        },
    )
    enter(dossier, 41)
    number(dossier, "stop_notice", 4, "TB-DGQ", print_world.agencies[CENTRE], "2026-03-04 15:20")
    return dossier


@pytest.fixture
def register_dossiers(print_world: PrintWorld, withdrawn_dossier: Dossier, refused_dossier: Dossier) -> dict:
    """Around the period 02/03–03/03/2026: three in it for the centre's desk, the rest just outside it."""
    world = print_world
    # 02/03 06:45 in Vietnam is still 01/03 in UTC; 04/03 06:55 below is 03/03 in UTC: the period is cut in
    # local dates.
    returned = make_received(
        world,
        code=EARLY_CODE,
        received="2026-03-02 06:45",
        applicant=make_applicant("Phạm Thu Hà", address="3 Lê Hoàn, phường Hạc Thành", phone="0911000111"),
        channel=Channel.ONLINE,
        status=Status.RETURNED,
        completed_at=at("2026-03-06 15:00"),
        returned_at=at("2026-03-09 08:30"),
        outcome=Outcome.EARLY,
    )
    DossierStep.objects.create(
        dossier=returned,
        order=1,
        name="Tra cứu, xác minh",
        agency=world.agencies[JUSTICE],
        handler=world.officer,
        started_at=at("2026-03-02 09:10"),
        finished_at=at("2026-03-06 15:00"),
        outcome=Outcome.EARLY,
    )
    enter(returned, 26)
    outside = make_received(
        world,
        code=OUTSIDE_CODE,
        received="2026-03-04 06:55",
        applicant=make_applicant("Đỗ Văn Nam", address="1 Hàm Nghi", phone="0911222333"),
        channel=Channel.ONLINE,
    )
    before = make_received(
        world,
        code=BEFORE_CODE,
        received="2026-03-01 23:59",
        applicant=make_applicant("Vũ Thị Hằng", address="2 Hàm Nghi", phone="0911333444"),
        channel=Channel.ONLINE,
    )
    commune = make_received(
        world,
        code=COMMUNE_CODE,
        received="2026-03-02 10:00",
        applicant=make_applicant("Ngô Văn Đức", address="5 Lê Lai", phone="0911444555"),
        receiving_agency=world.agencies[COMMUNE],
        desk=OneStopDesk.objects.get(agency=world.agencies[COMMUNE]),
        processing_agency=world.agencies[COMMUNE],
    )
    return {
        "inside": [world.dossier, withdrawn_dossier, returned],
        "returned": returned,
        "outside": [outside, before, commune, refused_dossier],
    }


# Eight more components, as a building-permit or land dossier lists them: with the fixture's two, ten rows on the
# receipt, some of them two lines long.
EIGHT_MORE = [
    "Bản sao Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất",
    "Bản vẽ thiết kế xây dựng (mặt bằng, mặt cắt, mặt đứng chính)",
    "Bản kê khai năng lực, kinh nghiệm của tổ chức, cá nhân thiết kế",
    "Văn bản ủy quyền",
    "Bản cam kết bảo đảm an toàn đối với công trình liền kề",
    "Giấy tờ chứng minh thuộc đối tượng miễn, giảm lệ phí",
    "Sơ yếu lý lịch có xác nhận của Ủy ban nhân dân cấp xã nơi cư trú",
    "Hai ảnh 4 x 6 cm",
]
