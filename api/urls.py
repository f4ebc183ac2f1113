"""/api/v1/: the public catalogue and lookup, the citizen's dossiers, the staff's queues and actions (docs/api.md)."""

from api.citizen import urlpatterns as citizen_urls
from api.public import urlpatterns as public_urls
from api.staff import urlpatterns as staff_urls

app_name = "api"

urlpatterns = public_urls + citizen_urls + staff_urls
