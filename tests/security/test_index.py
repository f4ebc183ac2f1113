"""Every check of docs/security.md has its module here, and every module says what it checks.

docs/security.md numbers the checks a portal holding citizens' personal data must pass (access control, sign-in,
uploads, injection, concurrency, data protection). Each check N is tested by `tests/security/test_cNN_<subject>.py`,
whose docstring restates the check in its own words; check 40 (the load baseline) is a bench script
(bench/load.py), not a timed test. This module fails when a check is added to docs/security.md without a module,
when a module has no docstring, or when a module is named after a check that does not exist.
"""

import ast
import re
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
BENCH_ONLY = {40}


def _checks() -> set[int]:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    return {int(n) for n in re.findall(r"^(\d{1,2})\. \*\*", text, flags=re.MULTILINE)}


def _modules() -> dict[int, Path]:
    found = {}
    for path in HERE.glob("test_c[0-9][0-9]_*.py"):
        found.setdefault(int(path.name[6:8]), path)
    return found


def test_docs_number_forty_checks():
    assert _checks() == set(range(1, 41))


def test_every_check_has_a_module_and_no_module_names_a_missing_check():
    checks, modules = _checks(), _modules()
    missing = sorted(checks - BENCH_ONLY - modules.keys())
    assert not missing, f"checks of docs/security.md without tests/security/test_cNN_*.py: {missing}"
    assert not modules.keys() - checks, f"modules named after no check: {sorted(modules.keys() - checks)}"


def test_every_module_says_what_it_checks():
    bare = [p.name for p in _modules().values() if len(ast.get_docstring(ast.parse(p.read_text())) or "") < 80]
    assert not bare, f"modules without a docstring that says what the check demands: {bare}"


def test_the_load_baseline_is_a_bench_script():
    assert (ROOT / "bench" / "load.py").is_file()
