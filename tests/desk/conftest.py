"""Fixtures for the staff screens: the dossier engine's (agency tree, one person per role, receive a dossier)."""

from tests.dossiers.conftest import agencies, applicant_for, make_version, people, receive  # noqa: F401
