"""API v1: staff endpoints (stub, filled by issue 11)."""

urlpatterns: list = []
