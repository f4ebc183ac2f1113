"""The submission wizard (issue 9, part 2)."""

urlpatterns = []
