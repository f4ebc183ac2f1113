"""The submission wizard (issue 9, part 2): stubs until it is built."""

from django.http import Http404

from portal.access import citizen_only


@citizen_only()
def start(request, procedure_code: str):
    raise Http404


@citizen_only()
def resume(request, pk: int):
    raise Http404
