from django.urls import path

from accounts import views, views_otp
from accounts.vneid import VneidCallbackView, VneidLoginView

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("confirm/", views.confirm, name="confirm"),
    path("profile/", views.profile, name="profile"),
    # The second factor for staff after the password (docs/authentication.md).
    path("otp/", views_otp.otp_step, name="otp"),
    path("password/reset/phone/", views.password_reset_phone, name="password-reset-phone"),
    # Sign-in through VNeID (accounts/vneid.py): 404 unless settings.VNEID_ENABLED.
    path("vneid/login/", VneidLoginView.as_view(), name="vneid-login"),
    path("vneid/callback/", VneidCallbackView.as_view(), name="vneid-callback"),
]
