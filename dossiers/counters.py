"""Consecutive numbers without gaps: one statement on a counter row — insert it at 1 or add 1 — returning the value.

Concurrent issuers queue on the row lock, so numbers are consecutive and never MAX()+1; run inside the state
change's transaction, so a rolled-back change gives its number back. Dossier codes, register entries and document
numbers all count this way (Circular 03/2025 Art. 13; docs/domain.md §6.1, §7.1).
"""

from __future__ import annotations

from django.db import connection


def counter_next(table_model, keys: dict, *, insert_extra: dict | None = None) -> tuple:
    """Insert the row of `keys` with `last` = 1, or add 1 to it; returns `last` and the `insert_extra` columns."""
    table = connection.ops.quote_name(table_model._meta.db_table)
    columns = {**keys, **(insert_extra or {})}
    names = ", ".join(connection.ops.quote_name(name) for name in [*columns, "last"])
    marks = ", ".join(["%s"] * len(columns))
    conflict = ", ".join(connection.ops.quote_name(name) for name in keys)
    returning = ", ".join(connection.ops.quote_name(name) for name in ["last", *(insert_extra or {})])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) VALUES ({marks}, 1) "  # noqa: S608 - names are ours
            f"ON CONFLICT ({conflict}) DO UPDATE SET last = {table}.last + 1 RETURNING {returning}",
            list(columns.values()),
        )
        return cursor.fetchone()
