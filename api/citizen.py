"""API v1: citizen endpoints (stub, filled by issue 11)."""

urlpatterns: list = []
