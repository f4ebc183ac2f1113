"""The processing officers' inbox: /work/ (docs/domain.md §5.7, §5.11)."""

from django.urls import path

from desk import views_inbox

urlpatterns: list = [path("work/", views_inbox.inbox, name="inbox")]
