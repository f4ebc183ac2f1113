"""Demo dossiers in bulk, for `manage.py seed_demo --dossiers N` and the volume benchmark (bench/seed_demo.py).

Each dossier is planned in Python along a legal path of the transition table (`dossiers.workflow`, docs/domain.md
§4.1) with the rows `dossiers.services` writes on the way — events, steps, pauses, the one supplement request,
due adjustments, apology, documents, fee lines — and written in bulk, one code agency at a time: on PostgreSQL by
`COPY` from a second thread while the next agency's dossiers are planned, elsewhere by multi-row inserts. Going
through the services would cost one transaction per action; the dates, though, are never restated here — they
come from the engine's own pure functions, so tests/demo/test_seed_demo.py can check the result against the
services themselves:

- codes `<agency e-identifier>-YYMMDD-XXXX` per (code agency, local day of issue: submission T1 online, receipt
  T2 otherwise), consecutive after the `CodeCounter` row, which is left at the last number used (§7.1); the code
  agency is the resolving body unless `settings.DOSSIER_CODE_AGENCY == "receiving"`, as in the services;
- every deadline from `dossiers.deadlines`: the due moment frozen at receipt with the calendar version and a
  receipt adjustment (§4.3, §5.4–5.5), the online acceptance deadline (§5.8), each step's due moment from the
  version's step at the same position, with the office hours of the step's agency (§5.7), the applicant's
  supplement deadline, the apology deadline (§5.10); the calendar is built once and its answers remembered per day;
- a pause that ended moves `current_due_at` through a restart or continue adjustment (§5.6), never in place;
- completed dossiers and steps are classed by `dossiers.models.outcome_by_date` (§5.11); open running dossiers past
  their due date are flagged `is_overdue`, as the overdue job would (§5.12);
- the numbers written on paper, as `dossiers.numbering` gives them live: a tracking-register line for every dossier
  received at a desk, consecutive per (desk, local year) in receipt order, and a document number for every
  supplement request, refusal, apology (processing body) and stop notice, consecutive per (issuing body, form,
  local year) in issue order — after the counter rows, which are left at the last number, so a second run and the
  live engine go on from there (§6.1–6.2); the numbers are in the events' data as the engine puts them;
- supplement items say what to fix ("content") with the form and count of the document asked for (Mẫu 02);
- each dossier's events are written in time order, so their ids follow it, with `prev_hash` and `digest` from
  `dossiers.audit.event_digest`: a valid hash chain per dossier.

Deterministic: the same seed, catalogue and reference day give the same dossiers. Every moment lies before the
start of the reference day (`today`, Asia/Ho_Chi_Minh; a timeline that does not fit is drawn again): the data reads
as the portal at the close of the previous day.

The modules, each importing only those before it: `names` (static data and weighted draws), `context` (what
is read once), `placement` (the office-minute line moments are placed on, the remembering calendar), `paths` (one
dossier's timeline), `planning` (the generator), `writing` (COPY or inserts), `run` (the entry point, its report, and
the planner: chunks of dossiers planned here or by forked worker processes, each chunk with its own random sequence
seeded in order from the run's, so the output does not depend on the number of workers). Timings: bench/README.md.
"""

from demo.seeding.context import SeedingError
from demo.seeding.names import FAMILY_NAMES
from demo.seeding.run import demo_dossiers_create, summary

__all__ = ["FAMILY_NAMES", "SeedingError", "demo_dossiers_create", "summary"]
