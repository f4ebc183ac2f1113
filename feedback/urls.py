"""Rating and feedback pages (issue 9, part 8)."""

app_name = "feedback"

urlpatterns = []
