from django.urls import path

from natsync import fake

app_name = "natsync"

urlpatterns = [
    # The local fake national receiver; its view answers 404 unless settings.NATSYNC_FAKE_ENABLED.
    path("<str:kind>/", fake.fake_receive, name="fake-receive"),
]
