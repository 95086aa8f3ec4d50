"""hours sits below trainings and research (they credit hours through it), and those two stand side by
side: hours imports neither, and neither imports the other (nor progress, which sits above all three).
Tests count too: a test of one app builds its rows with that app's factories."""

import ast
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parents[2]
MUST_NOT_IMPORT = {
    "hours": {"trainings", "research", "progress"},
    "trainings": {"research", "progress"},
    "research": {"trainings", "progress"},
}


def imported_apps(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n.split(".")[1] for n in names if n.startswith("tisheng.") and n.count(".") >= 1}


@pytest.mark.parametrize("app", sorted(MUST_NOT_IMPORT))
def test_the_app_imports_only_what_it_is_built_on(app):
    wrong = {
        str(path.relative_to(APPS)): sorted(imported_apps(path) & MUST_NOT_IMPORT[app])
        for path in sorted((APPS / app).rglob("*.py"))
    }
    assert {path: apps for path, apps in wrong.items() if apps} == {}


def test_the_check_sees_an_import_against_the_order(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from tisheng.trainings.models import Training\nimport tisheng.research.selectors\n")
    assert imported_apps(module) == {"trainings", "research"}
