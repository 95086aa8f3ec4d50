"""Only the scoping module reads the id sets a scope is built from (issue: rooms that say what they hold).

Every other module asks the scope in words (`scope.schools(manage=True)`, `scope.restrict(...)`,
`scope.holds("group")`, `scope.can_manage_school(school)`) and states its own visibility in its
selectors. This test reads the source (Python and templates) and fails on a raw read elsewhere.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # src/tisheng
SCOPING = ROOT / "access" / "scoping.py"
RAW = {
    "_view",
    "_manage",
    "_superuser",
    "view_cities",
    "view_counties",
    "view_schools",
    "view_groups",
    "manage_cities",
    "manage_counties",
    "manage_schools",
}
TEMPLATE_RAW = re.compile(r"\bscope\.(_\w+|view_\w+|manage_\w+|is_superuser)\b")


def _raw_reads(source: str) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute):
            continue
        if (
            node.attr in RAW
            or node.attr == "is_superuser"
            and isinstance(node.value, ast.Name)
            and "scope" in node.value.id
        ):
            out.append((node.lineno, node.attr))
    return sorted(out)


def test_no_module_but_the_scoping_module_reads_the_raw_id_sets():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path in (SCOPING, Path(__file__).resolve()) or "migrations" in path.parts:
            continue
        found += [f"{path.relative_to(ROOT)}:{line}: .{name}" for line, name in _raw_reads(path.read_text())]
    assert found == []


def test_no_template_reads_the_raw_id_sets():
    found = []
    for path in sorted(ROOT.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found += [f"{path.relative_to(ROOT)}:{number}: {m.group(0)}" for m in TEMPLATE_RAW.finditer(line)]
    assert found == []


def test_the_checker_catches_raw_reads():
    assert _raw_reads(
        "scope.manage_schools\nx = s._view['city']\nscope.is_superuser\nuser.is_superuser\n"
    ) == [
        (1, "manage_schools"),
        (2, "_view"),
        (3, "is_superuser"),
    ]
