"""The leaders' dashboard (docs/dashboard.md): the figures of the reader's scope, the drill-down to the dossiers
behind a figure (no personal data, docs/domain.md §2, §11) and the exports of every table.

Thin views: `stats.dashboard.figures_query` parses the query string against the reader's scope (an agency outside
it is a 404), the selectors read the figures, the templates draw them. Bad input answers 400 with a Vietnamese
message on the page itself, never a server error.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import FIGURES_ROLES, Role
from dossiers.models import Channel
from portal.access import FIGURES, staff_only
from stats import exports
from stats.charts import column_chart, punctuality
from stats.dashboard import (
    DRILL_MEASURES,
    TABLES,
    FiguresQuery,
    dashboard_figures,
    drill_count,
    drill_page,
    drill_rows,
    figures_query,
    table_by,
)
from stats.forms import PRESETS, preset_period
from stats.models import RefreshMark

READERS = [*FIGURES_ROLES, Role.ADMIN]
EXPORT_LIMIT = 50_000  # rows of a drill-down export; the figure says how many there are


def _context(query: FiguresQuery, tab: str) -> dict:
    presets = [
        {"key": key, "label": label, "period": preset_period(key, today=query.today)} for key, label in PRESETS.items()
    ]
    return {
        "tab": tab,
        "q": query,
        "form": query.form,
        "presets": presets,
        "query": query.query() if query.valid else "",
    }


@staff_only(roles=READERS, scope=FIGURES)
@require_GET
def dashboard(request):
    """Số liệu: received, resolved, in progress, rates, overdue now, the trend and the tables of the reader's scope."""
    query = figures_query(request)
    context = _context(query, "home")
    if not query.valid:
        return render(request, "stats/dashboard.html", context, status=400)
    mark = RefreshMark.objects.filter(pk=1).values("event_id", "refreshed_at").first() or {}
    context["refreshed_at"] = mark.get("refreshed_at")
    context["body"] = _dashboard_body(request, query, context, mark.get("event_id"))
    return render(request, "stats/dashboard.html", context)


def _dashboard_body(request, query: FiguresQuery, context: dict, watermark: int | None) -> str:
    """The figures' part of the page, from the cache when this scope and query were rendered since the last
    refresh and less than DASHBOARD_CACHE_SECONDS ago (a leader's page answers without recounting: at a million
    dossiers the live counts alone scan a hundred thousand index entries). The key holds everything the part
    depends on: the refresh's watermark, the scope, the query (period and filters), today and the language."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    parts = (watermark, query.today.isoformat(), get_language(), query.query(), tuple(sorted(query.agency_ids)))
    key = "dashboard:body:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    body = cache.get(key) if seconds else None
    if body is None:
        figures = dashboard_figures(query)
        body = render_to_string(
            "stats/_dashboard_body.html",
            context
            | figures
            | {
                "columns": column_chart(days=figures["days"], period=query.period),
                "punctuality": punctuality(figures["tables"]["agency"]),
                "previous": query.period.previous(),
                "table_titles": TABLES,
                "live_at": timezone.localtime(),
            },
            request,
        )
        if seconds:
            cache.set(key, body, seconds)
    # Rendered by our own template, every value escaped there.
    return mark_safe(body)  # noqa: S308


def _refuse(request, query: FiguresQuery, message: str):
    """400 with the message on the drill-down's page (a missing measure, table or format, a forged page key)."""
    return render(request, "stats/drill.html", _context(query, "home") | {"error": message}, status=400)


@staff_only(roles=READERS, scope=FIGURES)
@require_GET
def drill(request):
    """Hồ sơ sau một số liệu: code, procedure, agency, current step, dates and status of each dossier counted in the
    figure — no applicant's name, identity number, phone or address, no link to the dossier, its files or forms.
    Keyset pages of 50 (no COUNT of a large set: the figure gives the number)."""
    query = figures_query(request)
    measure = request.GET.get("measure", "")
    if measure not in DRILL_MEASURES:
        return _refuse(request, query, _("Hãy chọn một số liệu trên trang Tổng quan để xem danh sách hồ sơ."))
    if not query.valid:
        return render(
            request,
            "stats/drill.html",
            _context(query, "home") | {"measure": measure, "title": DRILL_MEASURES[measure]},
            status=400,
        )
    try:
        page = drill_page(query, measure=measure, after=request.GET.get("sau", ""))
    except ValueError:
        return _refuse(request, query, _("Trang danh sách không hợp lệ; hãy mở lại từ trang đầu."))
    context = _context(query, "home") | {
        "measure": measure,
        "title": DRILL_MEASURES[measure],
        "page": page,
        "count": drill_count(query, measure=measure),
        "first_page": not request.GET.get("sau"),
    }
    return render(request, "stats/drill.html", context)


def _file_name(query: FiguresQuery, what: str) -> str:
    return f"{what} {query.period.start:%d.%m.%Y}-{query.period.end:%d.%m.%Y}"


def _about(query: FiguresQuery, title: str) -> list[tuple[str, str]]:
    now = timezone.localtime()
    about = [
        (_("Nội dung"), title),
        (_("Phạm vi"), query.focus_name + (f" ({_('chỉ cơ quan này')})" if query.own else "")),
        (_("Kỳ báo cáo"), f"{query.period.start:%d/%m/%Y} – {query.period.end:%d/%m/%Y}"),
    ]
    if query.field:
        about.append((_("Lĩnh vực"), query.field.name))
    if query.procedure:
        about.append((_("Thủ tục"), query.procedure.code))
    if query.channel:
        about.append((_("Kênh nộp"), str(Channel(query.channel).label)))
    about.append((_("Xuất lúc"), f"{now:%H:%M %d/%m/%Y}"))
    return about


TABLE_HEADER = [
    ("label", gettext_lazy("Tên")),
    ("received", gettext_lazy("Tiếp nhận")),
    ("resolved", gettext_lazy("Đã giải quyết")),
    ("early", gettext_lazy("Trước hạn")),
    ("on_time", gettext_lazy("Đúng hạn")),
    ("late", gettext_lazy("Quá hạn")),
    ("on_time_rate", gettext_lazy("Tỷ lệ đúng hạn (%)")),
    ("late_rate", gettext_lazy("Tỷ lệ quá hạn (%)")),
    ("online_rate", gettext_lazy("Tỷ lệ trực tuyến (%)")),
    ("in_progress", gettext_lazy("Đang giải quyết")),
    ("overdue_now", gettext_lazy("Đang quá hạn")),
    ("withdrawn", gettext_lazy("Rút hồ sơ")),
    ("refused", gettext_lazy("Không được tiếp nhận")),
    ("returned", gettext_lazy("Đã trả kết quả")),
]
DRILL_HEADER = [
    gettext_lazy("Mã hồ sơ"),
    gettext_lazy("Mã thủ tục"),
    gettext_lazy("Tên thủ tục"),
    gettext_lazy("Cơ quan giải quyết"),
    gettext_lazy("Bước hiện tại"),
    gettext_lazy("Ngày tiếp nhận"),
    gettext_lazy("Hẹn trả"),
    gettext_lazy("Ngày có kết quả"),
    gettext_lazy("Trạng thái"),
]
NO_RATE = "–"  # a rate with nothing to divide (an en dash: text, never read as a minus sign)


def _table_rows(query: FiguresQuery, dimension: str) -> tuple[list[str], list[list]]:
    header = [str(name) for _key, name in TABLE_HEADER]
    if dimension == "procedure":
        header = [_("Mã thủ tục"), *header]
    rows = []
    for row in table_by(query, dimension):
        values = [NO_RATE if row[key] is None and key.endswith("_rate") else row[key] for key, _name in TABLE_HEADER]
        values[0] = str(row["label"])
        rows.append([row["code"], *values] if dimension == "procedure" else values)
    return header, rows


@staff_only(roles=READERS, scope=FIGURES)
@require_GET
def export(request):
    """Xuất bảng số liệu hoặc danh sách hồ sơ ra XLSX hoặc CSV, formula-safe (stats/exports.py)."""
    query = figures_query(request)
    table, kind = request.GET.get("table", ""), request.GET.get("format", "")
    if table not in (*TABLES, "drill") or kind not in ("xlsx", "csv"):
        message = _(
            "Hãy chọn bảng cần xuất (theo cơ quan, lĩnh vực, thủ tục, kênh nộp hoặc danh sách hồ sơ) và định dạng "
            "(XLSX hoặc CSV)."
        )
        return _refuse(request, query, message)
    measure = request.GET.get("measure", "")
    if table == "drill" and measure not in DRILL_MEASURES:
        return _refuse(request, query, _("Hãy chọn một số liệu trên trang Tổng quan để xem danh sách hồ sơ."))
    if not query.valid:
        return render(request, "stats/drill.html", _context(query, "home"), status=400)
    if table == "drill":
        title = str(DRILL_MEASURES[measure])
        header = [str(name) for name in DRILL_HEADER]
        rows = drill_rows(query, measure=measure, limit=EXPORT_LIMIT)
    else:
        title = str(TABLES[table])
        header, rows = _table_rows(query, table)
    name = _file_name(query, _("Số liệu {what}").format(what=title.lower()))
    if kind == "csv":
        return exports.csv_response(filename=name, header=header, rows=rows)
    return exports.xlsx_response(filename=name, title=title, header=header, rows=rows, about=_about(query, title))
