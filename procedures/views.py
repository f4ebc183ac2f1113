from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from procedures.forms import ProcedureSearchForm
from procedures.selectors import procedure_detail, procedure_search

PAGE_SIZE = 20


@require_GET
def procedure_list(request):
    """Public catalogue: search box, filters and paginated results."""
    form = ProcedureSearchForm(request.GET)
    filters = form.filters()
    page = Paginator(procedure_search(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": filters["query"],
        "filtered": any(filters.values()),
    }
    return render(request, "procedures/procedure_list.html", context)


@require_GET
def procedure_detail_view(request, code: str):
    """Everything a citizen needs to prepare a dossier; unknown and abolished codes are 404 alike."""
    version = procedure_detail(code=code)
    if version is None:
        raise Http404(_("Không tìm thấy thủ tục hành chính."))
    return render(request, "procedures/procedure_detail.html", {"version": version, "procedure": version.procedure})
