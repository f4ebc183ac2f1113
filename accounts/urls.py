from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("confirm/", views.confirm, name="confirm"),
    path("profile/", views.profile, name="profile"),
    path("password/reset/phone/", views.password_reset_phone, name="password-reset-phone"),
]
