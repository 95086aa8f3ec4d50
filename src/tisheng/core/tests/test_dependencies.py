"""The apps depend on each other in one order (docs/ARCHITECTURE.md, "Dependency order").

An app may import only apps on a lower floor. Every import counts, including those inside functions
(a lazy import is still a dependency); only names imported under `if TYPE_CHECKING:` are exempt, as
they never run. Tests and migrations are not app code: tests may use any app's factories, and
migrations name other apps by label.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # src/tisheng

# Lowest floor first. Apps on the same floor must not import each other either.
FLOORS: list[tuple[str, ...]] = [
    ("core",),
    ("organisation",),
    ("framework", "programme"),
    ("people",),
    ("access",),
    ("exchange",),
    ("plans",),
    ("evidence", "hours"),
    ("trainings", "research", "evaluation"),
    ("scoring",),
    ("progress",),
    ("home",),
    ("demo",),
    ("config",),
]
FLOOR = {app: i for i, apps in enumerate(FLOORS) for app in apps}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_apps(tree: ast.AST) -> set[tuple[str, int]]:
    """(app, line) for every `tisheng.<app>` import that can run."""
    found: set[tuple[str, int]] = set()

    def visit(node):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "tisheng" and len(parts) > 1:
                    found.add((parts[1], node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            if parts[0] == "tisheng":
                if len(parts) > 1:
                    found.add((parts[1], node.lineno))
                else:
                    found.update((alias.name, node.lineno) for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _app_modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if len(rel.parts) < 2 or "tests" in rel.parts or "migrations" in rel.parts:
            continue
        yield rel.parts[0], rel, path


def _violations() -> list[str]:
    out = []
    for app, rel, path in _app_modules():
        if app not in FLOOR:
            out.append(f"{rel}: app {app!r} has no floor in FLOORS (add it, and to docs/ARCHITECTURE.md)")
            continue
        for other, line in _imported_apps(ast.parse(path.read_text(encoding="utf-8"))):
            if other == app or other not in FLOOR:
                continue
            if FLOOR[other] >= FLOOR[app]:
                out.append(f"{rel}:{line}: {app} (floor {FLOOR[app]}) imports {other} (floor {FLOOR[other]})")
    return out


def test_every_app_imports_only_apps_on_lower_floors():
    assert _violations() == []


def test_every_package_under_src_is_an_app_with_a_floor():
    packages = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages - set(FLOOR) == set()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from tisheng.plans.models import Plan", {"plans"}),
        ("import tisheng.evidence.services", {"evidence"}),
        ("from tisheng import hours", {"hours"}),
        ("def f():\n    from tisheng.progress import sheet\n", {"progress"}),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from tisheng.access.scoping import Scope\n",
            set(),
        ),
        ("from .models import Plan", set()),
    ],
)
def test_the_checker_sees_every_kind_of_import(source, expected):
    assert {app for app, _ in _imported_apps(ast.parse(source))} == expected
