from django.urls import path

from desk import views_queue

urlpatterns = [
    path("desk/", views_queue.queue, name="queue"),
    path("desk/start/", views_queue.after_login, name="after-login"),
]
