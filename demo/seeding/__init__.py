"""Demo dossiers in bulk, for `manage.py seed_demo --dossiers N` and the volume benchmark (bench/seed_demo.py).

Each dossier is planned in Python along a legal path of the transition table (`dossiers.workflow`, domain.md
§4.1) with the rows `dossiers.services` writes on the way — events, steps, pauses, the one supplement request,
due adjustments, apology, documents, fee lines — and written in bulk, one code agency at a time: on PostgreSQL by
`COPY` from a second thread while the next agency's dossiers are planned, elsewhere by multi-row inserts. Going
through the services would cost one transaction per action, so the rules they apply are restated here, and
tests/dossiers/test_seed_demo.py checks the result against them:

- codes `<agency e-identifier>-YYMMDD-XXXX` per (code agency, local day of issue: submission T1 online, receipt
  T2 otherwise), consecutive after the `CodeCounter` row, which is left at the last number used (§7.1); the code
  agency is the resolving body unless `settings.DOSSIER_CODE_AGENCY == "receiving"`, as in the services;
- due moments from `workcalendar.calendar.due_moment` with the version's unit, value, parts and cut-off, frozen on
  the dossier with the calendar version and a receipt adjustment (§4.3, §5.4–5.5), memoised per effective
  receipt date where the answer only shifts the date, so 100,000 dossiers need a few thousand real calls;
- a pause that ended moves `current_due_at` through a restart or continue adjustment (§5.6), never in place;
- completed dossiers are classed by the local dates of `completed_at` and `current_due_at` (§5.11); open running
  dossiers past their due date are flagged `is_overdue`, as the overdue job would (§5.12).

Deterministic: the same seed, catalogue and local date give the same dossiers. Every moment lies before the start
of today (Asia/Ho_Chi_Minh): the data reads as the portal at the close of the previous day.

The modules, each importing only those before it: `names` (static data and weighted draws), `context` (what
is read once), `deadlines` (due moments, office time), `paths` (one dossier's timeline), `planning` (the
generator), `writing` (COPY or inserts), `run` (the entry point and its report).
"""

from demo.seeding.context import SeedingError
from demo.seeding.names import FAMILY_NAMES
from demo.seeding.run import demo_dossiers_create, summary

__all__ = ["FAMILY_NAMES", "SeedingError", "demo_dossiers_create", "summary"]
