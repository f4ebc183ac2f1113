"""Read queries on the public catalogue: search, detail and the home page's short list.

The catalogue is public (published by law, Decree 118/2025 Art. 27), so these take no user. Search compares
folded, whole-word columns with a folded query through plain LIKE and Case/When ranking, which behaves the same on
SQLite (development) and PostgreSQL (CI, production) without `unaccent`.
"""

import re
import secrets
from functools import reduce
from operator import and_

from django.db import transaction
from django.db.models import Case, CharField, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Concat, Length
from django.utils import timezone

from agencies.models import Agency
from portal.cache import cache_add, cache_delete, cache_get, cache_set
from procedures.models import Field, OnlineMode, ProcedureVersion
from procedures.text import fold_words

# National codes (1.001193) and their provincial instances (2.000488.000.00.00.H56).
CODE_QUERY_RE = re.compile(r"^\d+(\.[0-9A-Za-z]+)+$")


def _in_force() -> QuerySet[ProcedureVersion]:
    return ProcedureVersion.objects.in_force().select_related("procedure", "field")


# Rank of a match, best first (see procedure_search).
RANK_EXACT, RANK_NAME_START, RANK_NAME_PHRASE, RANK_NAME_WORDS, RANK_TEXT_WORDS = range(5)


def procedure_search(
    *,
    query: str = "",
    field: str | None = None,
    level: str | None = None,
    agency: str | None = None,
    online_mode: str | None = None,
    everywhere: bool = False,
) -> QuerySet[ProcedureVersion]:
    """In-force versions matching `query` and the filters, best match first, fees prefetched for the list.

    The query's words are folded (procedures.text.fold_words) and each must match a WHOLE word ("an" does not
    find "bản"), ALL of them (AND). Rank (`rank`): the name equal to the query, then the name starting with it,
    then the name holding it as a phrase, then every word in the name, then every word anywhere in the search
    text (code, field, documents, result, legal basis); ties go to the shorter name, then the code.

    Words found only in the text are listed when no name matches, or when `everywhere` is asked for: a query such
    as "chung thuc" names five procedures, while "bản sao có chứng thực" is among the documents of most of the
    others. Unless `everywhere`, whether any name matches is asked first (one short query, here).

    A query shaped like a procedure code matches codes by prefix. `field` is a field code, `level` a Level value,
    `agency` an electronic identifier.
    """
    versions = _in_force().prefetch_related("fees")
    if field:
        versions = versions.filter(field__code=field)
    if level:
        versions = versions.at_level(level)
    if agency:
        # One row per (version, agency) in the M2M, so a single agency cannot duplicate a version.
        versions = versions.filter(agencies__e_identifier=agency)
    if online_mode:
        versions = versions.filter(online_mode=online_mode)

    query = (query or "").strip()
    if CODE_QUERY_RE.match(query):
        return versions.filter(procedure__code__istartswith=query).order_by(
            Length("procedure__code"), "procedure__code"
        )
    phrase = fold_words(query)
    if not phrase:
        return versions.order_by("search_name", "procedure__code")

    # search_text is stored between spaces; the name is padded here, so " word " matches its first and last word.
    versions = versions.alias(name_words=Concat(Value(" "), "search_name", Value(" "), output_field=CharField()))
    all_in_name = reduce(and_, (Q(name_words__contains=f" {w} ") for w in phrase.split()))
    all_in_text = reduce(and_, (Q(search_text__contains=f" {w} ") for w in phrase.split()))
    # Two plans rather than one query with an OR, which PostgreSQL could only answer by reading every row's long
    # text: the names (short, read from the btree index on search_name), or the text through its trigram index
    # (migration 0006). search_text holds the name too (procedures.services), so it alone finds every match.
    in_name = versions.filter(all_in_name)
    found = in_name if not everywhere and in_name.exists() else versions.filter(all_in_text)
    rank = Case(
        When(search_name=phrase, then=Value(RANK_EXACT)),
        When(name_words__startswith=f" {phrase} ", then=Value(RANK_NAME_START)),
        When(name_words__contains=f" {phrase} ", then=Value(RANK_NAME_PHRASE)),
        When(all_in_name, then=Value(RANK_NAME_WORDS)),
        default=Value(RANK_TEXT_WORDS),
        output_field=IntegerField(),
    )
    return found.annotate(rank=rank, name_length=Length("search_name")).order_by(
        "rank", "name_length", "procedure__code"
    )


def procedure_detail(*, code: str) -> ProcedureVersion | None:
    """The in-force version of `code` with everything its page shows; None if unknown or abolished."""
    return (
        _in_force()
        .prefetch_related(
            "documents",
            "fees",
            "steps",
            Prefetch("agencies", queryset=Agency.objects.order_by("name")),
        )
        .filter(procedure__code=code)
        .first()
    )


def procedure_featured_list(*, limit: int = 6) -> list[ProcedureVersion]:
    """A few in-force procedures for the home page: fully online ones first, then by name (one query)."""
    online_first = Case(
        When(online_mode=OnlineMode.FULL, then=Value(0)),
        When(online_mode=OnlineMode.PARTIAL, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return list(_in_force().order_by(online_first, "search_name", "procedure__code")[:limit])


def field_choices() -> QuerySet[Field]:
    """Fields that have at least one in-force procedure, for the search filter."""
    return Field.objects.filter(pk__in=ProcedureVersion.objects.in_force().values("field")).order_by("name")


def agency_choices() -> QuerySet[Agency]:
    """Agencies linked to at least one in-force procedure, for the search filter."""
    linked = ProcedureVersion.agencies.through.objects.filter(
        procedureversion__in=ProcedureVersion.objects.in_force()
    ).values("agency")
    return Agency.objects.filter(pk__in=linked).order_by("name").only("pk", "e_identifier", "name")


# The search form's two lists change when the catalogue does, not per request: they are kept in the cache under a
# generation token that any change of a procedure, version, field, agency or version–agency link drops
# (`catalogue_changed`, connected in procedures/apps.py), and under the day, so that a change made without a signal
# (a bulk update in a shell) shows the next day at the latest.
GENERATION_KEY = "procedures:choices-generation"
CHOICES_SECONDS = 24 * 3600


def catalogue_changed(**_signal) -> None:
    """Start a new generation: the next search page reads the lists from the database again — now, and once more
    after the commit, so that a page rendered meanwhile from the old rows is not kept."""
    cache_delete(GENERATION_KEY)
    transaction.on_commit(lambda: cache_delete(GENERATION_KEY))


def _generation() -> str:
    token = cache_get(GENERATION_KEY)
    if token is None:
        cache_add(GENERATION_KEY, secrets.token_hex(6), None)
        token = cache_get(GENERATION_KEY) or ""
    return token


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The fields and agencies with a procedure in force, as (code, name) pairs for the search form's filters."""
    key = f"procedures:choices:{_generation()}:{timezone.localdate().isoformat()}"
    choices = cache_get(key)
    if choices is None:
        choices = {
            "fields": [(f.code, f.name) for f in field_choices()],
            "agencies": [(a.e_identifier, a.name) for a in agency_choices()],
        }
        cache_set(key, choices, CHOICES_SECONDS)
    return choices
