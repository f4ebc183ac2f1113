"""Template helpers of the dossier pages."""

from django import template

from dossiers.verification import file_token

register = template.Library()


@register.filter
def result_verify_token(file) -> str:
    """The public verification token of a result file (its id signed with its SHA-256; no query)."""
    return file_token(file)


@register.simple_tag
def max_files_per_request() -> int:
    """DOSSIER_MAX_FILES_PER_REQUEST, for the upload pages' hint."""
    from django.conf import settings

    return settings.DOSSIER_MAX_FILES_PER_REQUEST
