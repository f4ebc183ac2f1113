"""The staff's screens: the desk's queue under /desk/, the officers' inbox under /work/, actions on a dossier."""

from desk import urls_actions, urls_inbox, urls_intake, urls_queue, urls_review

app_name = "desk"

urlpatterns = [
    *urls_queue.urlpatterns,
    *urls_inbox.urlpatterns,
    *urls_actions.urlpatterns,
    *urls_intake.urlpatterns,
    *urls_review.urlpatterns,
]
