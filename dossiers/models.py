"""Dossiers: the engine arrives with issue 4."""
