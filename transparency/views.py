"""Công khai kết quả giải quyết: public, no login (docs/transparency.md)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from transparency.forms import FigureFilterForm
from transparency.selectors import (
    BY_AGENCY,
    figure_agencies,
    province_figure,
    public_figures,
    public_refresh,
)
from transparency.services import MIN_DOSSIERS

PAGE_SIZE = 25


@require_GET
def transparency(request):
    """On-time shares and real processing times per procedure and agency over the 12 months ending yesterday.

    Reads the summary table only (figures, never a dossier or a person). Invalid filters are ignored with a
    message (400), never a server error.
    """
    form = FigureFilterForm(request.GET, agencies=figure_agencies())
    filters = form.filters()
    problems = form.problems()
    page = Paginator(public_figures(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "filters": filters,
        "by_agency": filters["group"] == BY_AGENCY,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "page_query": query.urlencode(),
        "problems": problems,
        "refresh": public_refresh(),
        "province": province_figure(),
        "min_dossiers": MIN_DOSSIERS,
    }
    return render(request, "transparency/transparency.html", context, status=400 if problems else 200)
