from django.urls import path

from natsync import views

app_name = "natsync_inbound"

urlpatterns = [
    # The national portal posts dossiers submitted there; 404 unless settings.NATSYNC_INBOUND_TOKEN is set.
    path("inbound/", views.inbound, name="inbound"),
]
