from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from procedures.forms import ProcedureSearchForm
from procedures.models import ProcedureVersion
from procedures.selectors import RANK_TEXT_WORDS, procedure_detail, procedure_search

PAGE_SIZE = 20
# Long texts the list does not show: left in the table, so sorting the matches moves short rows (a page of a 2,000
# procedure catalogue sorts every match before taking 20).
LIST_DEFERRED = ("search_text", "sequence", "conditions", "submission_place", "applicants", "channels", "legal_basis")


@require_GET
def procedure_list(request):
    """Public catalogue: search box, filters and paginated results."""
    form = ProcedureSearchForm(request.GET)
    filters = form.filters()
    query_errors = form.query_errors()
    # A refused query lists nothing: listing everything would pass for "these match what you typed".
    results = ProcedureVersion.objects.none() if query_errors else procedure_search(**filters).defer(*LIST_DEFERRED)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # evaluated once, here, so reading its first rank costs no query
    context = {
        "form": form,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": filters["query"],
        "filtered": any(filters.values()),
        "query_errors": query_errors,
        # Names matched, so words found only in documents, result or legal basis were left out: offer them.
        "narrowed": bool(filters["query"])
        and not filters["everywhere"]
        and getattr(next(iter(page.object_list), None), "rank", RANK_TEXT_WORDS) < RANK_TEXT_WORDS,
    }
    return render(request, "procedures/procedure_list.html", context, status=400 if query_errors else 200)


@require_GET
def procedure_detail_view(request, code: str):
    """Everything a citizen needs to prepare a dossier; unknown and abolished codes are 404 alike."""
    version = procedure_detail(code=code)
    if version is None:
        raise Http404(_("Không tìm thấy thủ tục hành chính."))
    context = {
        "version": version,
        "procedure": version.procedure,
        # The button leads to the online submission form, so it shows only once the portal offers one.
        "online_submission": settings.ONLINE_SUBMISSION_ENABLED and version.allows_online_submission,
    }
    return render(request, "procedures/procedure_detail.html", context)
