from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from accounts import views as account_views
from accounts.forms import LoginForm
from dossiers.views import public_lookup
from dossiers.views_verify import result_verify_page
from portal import views
from procedures.urls import api_redirects as procedure_api_redirects

# Static pages rendered without the database or the session (portal.errors).
handler500 = "portal.views.server_error"
handler400 = "portal.views.bad_request"  # says why: e.g. more files than DATA_UPLOAD_MAX_NUMBER_FILES

admin.site.site_header = _("Quản trị Cổng Dịch vụ công")
admin.site.site_title = _("Quản trị Một cửa điện tử")
admin.site.index_title = _("Trang quản trị")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/reset/", account_views.password_reset, name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/", include("accounts.urls")),
    path("procedures/", include("procedures.urls")),
    path("dossiers/", include("dossiers.urls")),
    path("payments/", include("payments.urls")),
    path("natsync/", include("natsync.urls_inbound")),  # the national portal posts dossiers submitted there
    path("natsync-fake/", include("natsync.urls")),  # the fake national receiver: 404 unless NATSYNC_FAKE_ENABLED
    path("vneid-fake/", include("accounts.vneid_fake")),  # the local fake provider: 404 unless VNEID_FAKE_ENABLED
    path("dashboard/chi-so-766/", include("indicators.urls")),  # Decision 766 indicators: leaders, supervisors
    path("dashboard/", include("stats.urls")),  # the leaders' dashboard: figures, drill-down, exports, why late
    path("cong-khai/", include("transparency.urls")),  # public: on-time shares and processing times, no login
    path("", include("citizen.urls")),
    path("", include("privacy.urls")),  # the citizen's personal data: export, erasure request (docs/privacy.md)
    path("", include("feedback.urls")),
    path("", include("desk.urls")),
    path("tra-cuu/", public_lookup, name="public-lookup"),
    path("xac-minh/<str:token>/", result_verify_page, name="result-verify"),
    path("api/v1/", include("api.urls")),  # the public API (docs/api.md)
    # The catalogue and the schema moved under /api/v1/ (docs/api.md): the old URLs answer 301 to the new ones.
    path("api/procedures/", include((procedure_api_redirects, "procedures_api"))),
    path(
        "api/schema/",
        RedirectView.as_view(pattern_name="api:schema", permanent=True, query_string=True),
        name="api-schema",
    ),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Only the public procedure form templates; dossier files go through the access-checked download view.
    urlpatterns += static(
        f"{settings.MEDIA_URL}procedure-forms/", document_root=settings.MEDIA_ROOT / "procedure-forms"
    )
