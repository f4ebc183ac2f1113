from django.urls import path

from payments import fake, views

app_name = "payments"

urlpatterns = [
    path("notify/", views.notify, name="notify"),
    path("return/<str:ref>/", views.payment_return, name="return"),
    # The local fake platform; its view answers 404 unless settings.PAYMENT_FAKE_ENABLED.
    path("fake/pay/<str:ref>/", fake.fake_pay, name="fake-pay"),
]
