"""The "sign in with VNeID" button, shown only while settings.VNEID_ENABLED (docs/vneid.md)."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("accounts/vneid_button.html")
def vneid_button(next_url: str = "") -> dict:
    url = reverse("accounts:vneid-login")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return {"enabled": settings.VNEID_ENABLED, "url": url}
