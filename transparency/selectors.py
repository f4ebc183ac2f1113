"""Read queries of the public transparency page (docs/transparency.md): the summary table only, never a dossier.

The page is public and shows figures only (no person, no dossier), so these take no user. Procedure names are
searched like the catalogue (procedures/selectors.py): every folded word of the query must be a whole word of the
current version's folded name, which behaves the same on SQLite and PostgreSQL without `unaccent`.
"""

from __future__ import annotations

from functools import reduce
from operator import and_

from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Concat

from agencies.models import Agency
from procedures.selectors import CODE_QUERY_RE
from procedures.text import fold_words
from transparency.models import PublicFigure, PublicRefresh

BY_PROCEDURE, BY_AGENCY = "procedure", "agency"
SORT_NAME, SORT_ON_TIME, SORT_FAST = "name", "on_time", "fast"
AGENCY_COLUMNS = ("name", "level")
VERSION_COLUMNS = ("name", "search_name", "time_unit", "time_value", "time_parts", "cutoff_time")


def public_refresh() -> PublicRefresh | None:
    """The period the figures cover and when they were computed; None before the first rebuild."""
    return PublicRefresh.objects.filter(pk=1, period_end__isnull=False).first()


def province_figure() -> PublicFigure | None:
    """The whole province's row (no agency, no procedure), None when fewer than the threshold were resolved."""
    return PublicFigure.objects.filter(agency__isnull=True, procedure__isnull=True).first()


def procedure_figure(*, procedure_id: int) -> PublicFigure | None:
    """A procedure's row across all agencies, for its catalogue page; None when hidden or absent."""
    figures = PublicFigure.objects.select_related("procedure")
    return figures.filter(procedure_id=procedure_id, agency__isnull=True).first()


def figure_agencies() -> list[Agency]:
    """The agencies with published figures (their own row across procedures), by name, for the filter."""
    published = PublicFigure.objects.filter(procedure__isnull=True, agency__isnull=False).values("agency")
    return list(Agency.objects.filter(pk__in=published).order_by("name").only("pk", "e_identifier", "name", "level"))


def _order(sort: str, names: list[str]) -> list:
    if sort == SORT_ON_TIME:
        return [F("on_time_rate").desc(), F("median_days").asc(nulls_last=True), "-resolved", *names]
    if sort == SORT_FAST:
        return [F("median_days").asc(nulls_last=True), F("p90_days").asc(nulls_last=True), "-on_time_rate", *names]
    return names


def public_figures(
    *,
    group: str = BY_PROCEDURE,
    query: str = "",
    agency_id: int | None = None,
    level: str | None = None,
    sort: str = SORT_NAME,
) -> QuerySet[PublicFigure]:
    """The rows of the page: a procedure at an agency (`BY_PROCEDURE`), or an agency across its procedures
    (`BY_AGENCY`). `query` matches procedure names (whole folded words, all of them) or a code by prefix;
    `agency_id` and `level` (an AgencyLevel value) narrow the agency. Sorted by name, by on-time share (highest
    first) or by median time (shortest first); rows without times go last."""
    figures = PublicFigure.objects.filter(agency__isnull=False)
    if agency_id is not None:
        figures = figures.filter(agency_id=agency_id)
    if level:
        figures = figures.filter(agency__level=level)
    if group == BY_AGENCY:
        figures = figures.filter(procedure__isnull=True).select_related("agency")
        figures = figures.only(
            *(f.attname for f in PublicFigure._meta.concrete_fields), "agency__name", "agency__level"
        )
        return figures.order_by(*_order(sort, ["agency__name", "agency_id"]))

    # A procedure whose version was withdrawn from the catalogue has no name to show: left out.
    # Only the columns the table prints: a version's long texts (documents, legal basis, search text) stay behind.
    figures = (
        figures.filter(procedure__current_version__isnull=False)
        .select_related("agency", "procedure__current_version")
        .only(
            *(f.attname for f in PublicFigure._meta.concrete_fields),
            *(f"agency__{name}" for name in AGENCY_COLUMNS),
            "procedure__code",
            *(f"procedure__current_version__{name}" for name in VERSION_COLUMNS),
        )
    )
    query = (query or "").strip()
    if CODE_QUERY_RE.match(query):
        figures = figures.filter(procedure__code__istartswith=query)
    elif words := fold_words(query).split():
        figures = figures.alias(
            name_words=Concat(
                Value(" "), "procedure__current_version__search_name", Value(" "), output_field=CharField()
            )
        ).filter(reduce(and_, (Q(name_words__contains=f" {word} ") for word in words)))
    names = ["procedure__current_version__search_name", "procedure__code", "agency__name", "agency_id"]
    return figures.order_by(*_order(sort, names))
