"""Every list of the API pages with an opaque cursor: no COUNT(*) per page, stable under inserts."""

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Newest first by primary key (a backwards index walk that stops at the page)."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
