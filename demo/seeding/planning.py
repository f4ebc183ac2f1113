"""Planning in Python: each dossier's status, channel, procedure and agencies, then its applicant, fees,
documents and — through `paths._Path` — its timeline.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from agencies.models import Agency, AgencyLevel
from demo.seeding.context import SeedingError, _Context, _Version
from demo.seeding.names import (
    CITIZEN_DOSSIERS,
    ENTERPRISE_BRANDS,
    ENTERPRISE_FORMS,
    ENTERPRISE_SHARE,
    ENTERPRISE_TRADES,
    FAMILY_NAMES,
    GIVEN,
    ID_PROVINCES,
    INTAKE_SUPPLEMENT_SHARE,
    MIDDLE,
    ONLINE_SHARE,
    POSTAL_SHARE,
    STATUS_SHARES,
    STREETS,
    WINDOW_DAYS,
    _cumulative,
    _fold,
    _pick,
)
from demo.seeding.paths import _Path, _Plan
from demo.seeding.placement import _Calendar, _OfficeLine
from dossiers import deadlines
from dossiers.models import (
    ApplicantKind,
    Channel,
    Digitisation,
    DocumentForm,
    FeeMode,
    IdDocumentType,
    PaymentState,
    ReturnMethod,
)
from dossiers.workflow import Status as S
from workcalendar.calendar import LOCAL_TZ, OfficeHours

_ATTEMPTS = 20


class _Generator:
    """Plans dossiers with one `random.Random`: the same seed and date give the same plans."""

    def __init__(self, context: _Context, rng: random.Random, today: dt.date) -> None:
        self.c, self.rng, self.today = context, rng, today
        self.users = context.users
        self.ref = dt.datetime.combine(today, dt.time(0), tzinfo=LOCAL_TZ)
        self.window_start = today - dt.timedelta(days=WINDOW_DAYS)
        # Built once, answers remembered: the deadline functions are pure (dossiers.deadlines).
        self.calendar = _Calendar(context.calendar)
        self._lines: dict[OfficeHours, _OfficeLine] = {}
        self._hours: dict[int, OfficeHours] = {}
        self._step_dues: dict[tuple, dt.datetime | None] = {}
        self._pools: dict[str, tuple[list[_Version], list[float]]] = {}
        for pool, keep in (("all", None), ("online", "online"), ("obligation", "fin_excluded")):
            chosen = [v for v in context.versions if keep is None or getattr(v, keep)]
            self._pools[pool] = (chosen, _cumulative(v.weight for v in chosen))
            # Work in progress at any moment is arrivals × time taken (Little's law): a same-day procedure, most of
            # the volume, is still open at the start of a day only when late, so open dossiers are drawn weighted
            # by the days beyond the first as well.
            self._pools[f"{pool}-open"] = (chosen, _cumulative(v.weight * max(v.span - 1, 0.1) for v in chosen))
        self.province = next(
            (a.name.removeprefix("Ủy ban nhân dân ") for a in context.agencies.values() if a.level == "province"), ""
        )
        self.places = [_place(a) for a in context.agencies.values() if a.level == AgencyLevel.COMMUNE and a.is_active]
        self.places = self.places or [("phường Hạc Thành", True)]

    def bases(self, count: int) -> list[list[_Plan]]:
        """Every dossier's status, channel, procedure and agencies, grouped by code agency (smallest first)."""
        statuses = _allocate(count, STATUS_SHARES)
        self.rng.shuffle(statuses)
        citizen = self._citizen_indices(statuses)
        tally = Counter(statuses)
        forced = tally[S.DRAFT] + tally[S.SUBMITTED] + INTAKE_SUPPLEMENT_SHARE * tally[S.SUPPLEMENT_REQUESTED]
        free = max(1.0, count - forced)
        self.p_online = min(1.0, max(0.0, (ONLINE_SHARE * count - forced) / free))
        self.p_postal = POSTAL_SHARE * count / free
        groups: dict[int, list[_Plan]] = {}
        for i, status in enumerate(statuses):
            base = self._base(status, i in citizen)
            groups.setdefault(base.code_agency.pk, []).append(base)
        ordered = sorted(groups.values(), key=lambda g: (len(g), g[0].code_agency.e_identifier))
        # Groups that share a receiving or resolving body share its register and document numbers, so their events
        # wait until the last of them is planned (writing._Writer): those come first, to be written while the
        # others are planned.
        bodies = [{a for p in g for a in (p.d["receiving_agency_id"], p.d["processing_agency_id"])} for g in ordered]
        shared = Counter(a for group in bodies for a in group)
        alone = {id(g): all(shared[a] == 1 for a in b) for g, b in zip(ordered, bodies, strict=True)}
        return sorted(ordered, key=lambda g: alone[id(g)])

    def _citizen_indices(self, statuses: list[str]) -> set[int]:
        """About 20 dossiers for the demo citizen, one of each status first, so their list looks real."""
        wanted = min(CITIZEN_DOSSIERS, max(1, len(statuses) // 10))
        by_status: dict[str, list[int]] = {}
        for i, status in enumerate(statuses):
            by_status.setdefault(status, []).append(i)
        chosen = [self.rng.choice(by_status[s]) for s in STATUS_SHARES if s in by_status][:wanted]
        taken = set(chosen)
        rest = [i for i in range(len(statuses)) if i not in taken]
        return taken | set(self.rng.sample(rest, min(len(rest), wanted - len(chosen))))

    def _base(self, status: str, citizen: bool) -> _Plan:
        rng = self.rng
        intake = status == S.SUPPLEMENT_REQUESTED and rng.random() < INTAKE_SUPPLEMENT_SHARE
        if status == S.AWAITING_FINANCIAL_OBLIGATION and self._pools["obligation"][0]:
            v = self._draw("obligation")
            channel = self._channel() if v.online else Channel.COUNTER
        else:
            channel = Channel.ONLINE if status in (S.DRAFT, S.SUBMITTED) or intake else self._channel()
            pool = "online" if channel == Channel.ONLINE and self._pools["online"][0] else "all"
            v = self._draw(f"{pool}-open" if status in (S.IN_PROCESSING, S.SUPPLEMENT_REQUESTED) else pool)
            if channel == Channel.ONLINE and not v.online:
                channel = Channel.COUNTER
        receiving, processing = self._agencies(v, channel)
        citizen = citizen and self.c.citizen_applicant is not None
        d = {
            "procedure_version_id": v.id,
            "owner_id": self.users["citizen"] if citizen else None,
            "receiving_agency_id": receiving.pk,
            "processing_agency_id": processing.pk,
            "channel": int(channel),
            "status": status,
            "return_method": self._return_method(channel),
            "sets_count": 1,
        }
        p = _Plan(d, v, receiving, citizen, intake)
        p.code_agency = receiving if self.c.code_by == "receiving" else processing
        return p

    def plan(self, p: _Plan) -> _Plan:
        """The dossier's applicant, fees, timeline along its status path, documents.

        A timeline is drawn again until every event lies before the start of today (the reference moment).
        """
        d, v, receiving, channel, status = p.d, p.v, p.receiving, p.d["channel"], p.d["status"]
        name = self._applicant(p, v, receiving, p.citizen)
        d["summary"] = f"{v.name} — {name}"[:1000]
        self._fees(p, v, channel, status)
        hours = self.hours(receiving.pk)
        drawn = dict(d)
        for _attempt in range(_ATTEMPTS):
            path = _Path(self, p, v, hours, self._line(hours))
            getattr(path, f"path_{status}")(intake=p.intake)
            if all(event[3] < self.ref for event in p.events):
                break
            path.reset()
            d.clear()
            d.update(drawn)
        else:
            raise SeedingError(f"No timeline for a {status} dossier of {v.code} before {self.today}.")
        self._documents(p, v, channel, received=d.get("received_at") is not None)
        if p.supplement is not None:
            # The form and count of each document asked for, as the desk writes them on the request: the
            # component's. The event's data holds the same dicts, so it says the same.
            components = {name: (form, count) for _id, name, form, count, _checked, _digitised in p.documents}
            for item in p.supplement["items"]:
                if (component := components.get(item["document"])) is not None:
                    item["form"], item["count"] = component
        d["revision"] = len(p.events)
        return p

    def hours(self, agency_id: int) -> OfficeHours:
        """The office hours of an agency, built once."""
        if agency_id not in self._hours:
            self._hours[agency_id] = OfficeHours.from_agency(self.c.agencies[agency_id])
        return self._hours[agency_id]

    def step_due(self, start: dt.datetime, unit: str, budget, agency_id: int) -> dt.datetime | None:
        """`dossiers.deadlines.step_due` with the agency's office hours, remembered per (start, unit, budget,
        agency): most steps start on a whole office minute, so the same question comes back thousands of times;
        a start with seconds (the desk's step, opened at receipt) is rarely asked twice and is not kept."""
        if start.second or start.microsecond:
            hours = self.hours(agency_id)
            return deadlines.step_due(start, unit=unit, budget=budget, calendar=self.calendar, hours=hours)
        key = (start, unit, budget, agency_id)
        try:
            return self._step_dues[key]
        except KeyError:
            due = self._step_dues[key] = deadlines.step_due(
                start, unit=unit, budget=budget, calendar=self.calendar, hours=self.hours(agency_id)
            )
            return due

    def _draw(self, pool: str) -> _Version:
        return _pick(self.rng, *self._pools[pool])

    def _channel(self) -> int:
        r = self.rng.random()
        if r < self.p_online:
            return Channel.ONLINE
        return Channel.POSTAL if r < self.p_online + self.p_postal else Channel.COUNTER

    def _agencies(self, v: _Version, channel: int) -> tuple[Agency, Agency]:
        """(receiving, resolving). A commune procedure goes to the commune and its desk; a provincial one to the
        linked body, received by the provincial centre at the counter or by post, and online by the body itself when
        it has a desk (§7.1, §13 #5)."""
        target = self.rng.choice(v.agencies) if v.agencies else (self.c.centre or next(iter(self.c.agencies.values())))
        # A body without a one-stop desk of its own (the provincial People's Committee) receives through the centre.
        own_desk = target.pk in self.c.desks
        if (v.commune or channel == Channel.ONLINE) and own_desk or self.c.centre is None:
            return target, target
        return self.c.centre, target

    def _return_method(self, channel: int) -> str:
        r = self.rng.random()
        if channel == Channel.ONLINE:
            return ReturnMethod.ONLINE if r < 0.45 else ReturnMethod.COUNTER if r < 0.9 else ReturnMethod.POST
        if channel == Channel.POSTAL:
            return ReturnMethod.POST if r < 0.8 else ReturnMethod.COUNTER
        return ReturnMethod.COUNTER if r < 0.88 else ReturnMethod.POST

    def _line(self, hours: OfficeHours) -> _OfficeLine:
        if hours not in self._lines:
            first, last = self.window_start - dt.timedelta(days=200), self.today + dt.timedelta(days=400)
            self._lines[hours] = _OfficeLine(self.c.calendar, hours, first, last, self.ref)
        return self._lines[hours]

    # --- applicants, documents, fees ---

    def _address(self, place: tuple[str, bool] | None) -> str:
        rng = self.rng
        label, ward = place or rng.choice(self.places)
        street = f"Số {rng.randint(1, 250)}, phố {rng.choice(STREETS)}" if ward else f"Thôn {rng.randint(1, 14)}"
        return ", ".join(x for x in (street, label, self.province) if x)

    def _applicant(self, p: _Plan, v: _Version, receiving: Agency, citizen: bool) -> str:
        """An individual (Vietnamese name, 12-digit ID, 09… phone) or now and then an enterprise."""
        rng = self.rng
        if citizen and self.c.citizen_applicant is not None:
            return self.c.citizen_applicant[1]
        local = receiving.level == AgencyLevel.COMMUNE and rng.random() < 0.85
        address = self._address(_place(receiving) if local else None)
        if rng.random() < ENTERPRISE_SHARE.get(v.field_code, 0.02):
            brand = rng.choice(ENTERPRISE_BRANDS)
            name = f"{rng.choice(ENTERPRISE_FORMS)} {rng.choice(ENTERPRISE_TRADES)} {brand}"
            tax = f"28{rng.randrange(10**8):08d}"
            email = f"lienhe.{_fold(brand).replace(' ', '')}{rng.randint(1, 99)}@gmail.com"
            p.applicant = (ApplicantKind.ENTERPRISE, name, tax, f"02373{rng.randrange(10**6):06d}", email, address)
            p.identity = (IdDocumentType.ENTERPRISE_CODE, tax)
            return name
        sex = rng.choice("mf")
        family = _pick(rng, *FAMILY_NAMES)
        middle = rng.choice(MIDDLE[sex])
        if middle not in ("Văn", "Thị") and rng.random() < 0.12:
            middle = f"{middle} {rng.choice(MIDDLE[sex])}"
        given = rng.choice(GIVEN[sex])
        name = f"{family} {middle} {given}"
        born = rng.randint(1950, 2006)
        province = _pick(rng, *ID_PROVINCES)
        # Căn cước number: province, century and sex digit, year of birth, six random digits.
        number = f"{province}{(0 if born < 2000 else 2) + (sex == 'f')}{born % 100:02d}{rng.randrange(10**6):06d}"
        email = f"{_fold(given)}.{_fold(family)}{rng.randint(1, 999)}@gmail.com" if rng.random() < 0.3 else ""
        p.applicant = (ApplicantKind.INDIVIDUAL, name, "", f"09{rng.randrange(10**8):08d}", email, address)
        p.identity = (IdDocumentType.PERSONAL_ID, number)
        return name

    def _documents(self, p: _Plan, v: _Version, channel: int, *, received: bool) -> None:
        """One component per required document of the version, as the services create them."""
        rng = self.rng
        for doc_id, name, originals, copies in v.documents:
            if channel == Channel.ONLINE:
                form = DocumentForm.CERTIFIED if rng.random() < 0.2 else DocumentForm.PHOTO
                count, digitised = 1, Digitisation.REUSED if rng.random() < 0.15 else Digitisation.DIGITISED
            else:
                form = DocumentForm.ORIGINAL if originals else DocumentForm.CERTIFIED
                count = max(1, originals + copies)
                digitised = Digitisation.DIGITISED if received and rng.random() < 0.75 else Digitisation.NOT_DIGITISED
            p.documents.append((doc_id, name, form, count, received, digitised))

    def _fees(self, p: _Plan, v: _Version, channel: int, status: str) -> None:
        """Every fee line of the version (as the services copy them), the fee mode and the payment state."""
        d, r = p.d, self.rng.random()
        p.fees = list(v.fees)
        if sum(amount for _n, amount in v.fees) == 0:
            d["fee_mode"], d["payment_state"] = FeeMode.NONE, PaymentState.NOT_REQUIRED
        elif status == S.DRAFT:
            d["fee_mode"], d["payment_state"] = FeeMode.NONE, PaymentState.PENDING
        elif r < 0.04:
            d["fee_mode"], d["payment_state"] = FeeMode.EXEMPT, PaymentState.NOT_REQUIRED
        elif channel != Channel.ONLINE and r > 0.86:  # "thu sau": paid when the result is handed over
            d["fee_mode"] = FeeMode.AFTER
            d["payment_state"] = PaymentState.PAID if status == S.RETURNED else PaymentState.PENDING
        else:
            d["fee_mode"] = FeeMode.BEFORE
            unpaid = status in (S.SUBMITTED, S.SUPPLEMENT_REQUESTED) and channel == Channel.ONLINE and r > 0.7
            d["payment_state"] = PaymentState.PENDING if unpaid else PaymentState.PAID


def _place(agency: Agency) -> tuple[str, bool]:
    """("phường Hạc Thành", True) from "Ủy ban nhân dân phường Hạc Thành"; the flag says street addresses."""
    label = agency.name.removeprefix("Ủy ban nhân dân ").strip()
    return label, label.startswith("phường")


def _allocate(count: int, shares: dict[str, int]) -> list[str]:
    """`count` statuses in the given proportions (largest remainder), each present once `count` allows."""
    total = sum(shares.values())
    exact = {s: count * w / total for s, w in shares.items()}
    counts = {s: int(x) for s, x in exact.items()}
    for s in sorted(shares, key=lambda s: exact[s] - counts[s], reverse=True)[: count - sum(counts.values())]:
        counts[s] += 1
    if count >= len(shares):
        for s in shares:
            if counts[s] == 0:
                counts[max(counts, key=counts.__getitem__)] -= 1
                counts[s] = 1
    return [s for s in shares for _i in range(counts[s])]
