"""The staff's screens: the desk's queue under /desk/, the officers' inbox under /work/, actions on a dossier,
the return of its result."""

from desk import (
    urls_actions,
    urls_bulk,
    urls_inbox,
    urls_intake,
    urls_queue,
    urls_register,
    urls_result,
    urls_return,
    urls_review,
)

app_name = "desk"

urlpatterns = [
    *urls_queue.urlpatterns,
    *urls_inbox.urlpatterns,
    *urls_actions.urlpatterns,
    *urls_intake.urlpatterns,
    *urls_return.urlpatterns,
    *urls_register.urlpatterns,
    *urls_bulk.urlpatterns,
    *urls_result.urlpatterns,
    *urls_review.urlpatterns,
]
