"""API v1: public endpoints (stub, filled by issue 11)."""

urlpatterns: list = []
