from django.urls import path

from desk import views_bulk

urlpatterns = [path("work/assign/", views_bulk.bulk_assign, name="bulk-assign")]
