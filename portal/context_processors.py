from django.conf import settings


def site(request):
    """Values every page's header and footer need."""
    return {"PROVINCE_NAME": settings.PROVINCE_NAME, "SITE_URL": settings.SITE_URL}
