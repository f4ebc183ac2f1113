"""Loaded by pytest before Django's settings: switches the settings into their test mode."""

import os

os.environ.setdefault("PORTAL_TESTING", "1")
