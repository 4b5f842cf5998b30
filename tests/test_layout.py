"""Imports run downward only: missions <- observation <- reports <- demo, and ``common`` imports
no app (README "Architecture"). Read from the source with ``ast``, so an upward import fails
here even if no test happens to execute it.

Also: no project app imported inside a function (an import that would only hide a circle),
except in ``AppConfig.ready`` where Django wants signal receivers connected.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("common", "missions", "observation", "reports", "demo")
# What each package must not import (``reports.pipeline`` is the one door the lower apps call).
FORBIDDEN = {
    "common": ("missions", "observation", "reports", "demo"),
    "missions": ("observation", "reports", "demo"),
    "observation": ("reports", "demo"),
    "reports": ("demo",),
    "demo": (),
}
ALLOWED_UPWARD = ("reports.pipeline",)


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def _imported(node: ast.Import | ast.ImportFrom, path: Path) -> list[str]:
    """Absolute dotted names an import statement brings in."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: resolve against the module's package
        package = path.relative_to(ROOT).with_suffix("").parts[: -node.level]
        base = ".".join(package + ((node.module,) if node.module else ()))
    else:
        base = node.module or ""
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def _top(name: str) -> str:
    return name.split(".")[0]


def _is_allowed(name: str) -> bool:
    return any(name == ok or name.startswith(ok + ".") for ok in ALLOWED_UPWARD)


def _in_ready(stack: list[ast.AST]) -> bool:
    return any(isinstance(node, ast.FunctionDef) and node.name == "ready" for node in stack)


def _imports(node: ast.AST, stack: tuple = ()):
    """Every import statement under ``node``, with the nodes that enclose it."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node, stack
    for child in ast.iter_child_nodes(node):
        yield from _imports(child, (*stack, node))


def layout_problems() -> list[str]:
    problems = []
    for app, path in _modules():
        where = path.relative_to(ROOT)
        for node, stack in _imports(ast.parse(path.read_text(), filename=str(path))):
            names = _imported(node, path)
            # ``from reports import pipeline`` is ``reports.pipeline``: allowed like it.
            upward = [
                name
                for name in (names[:1] if isinstance(node, ast.ImportFrom) else names)
                if _top(name) in FORBIDDEN[app] and not any(map(_is_allowed, names))
            ]
            problems += [f"{where}:{node.lineno} {app} imports {n} (upward)" for n in upward]
            in_function = any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) for n in stack)
            if in_function and not _in_ready(stack) and _top(names[0]) in APPS:
                problems.append(f"{where}:{node.lineno} imports {names[0]} inside a function")
    return problems


def test_imports_run_downward_and_hide_nothing_in_functions():
    assert layout_problems() == []


@pytest.mark.parametrize(
    ("app", "source", "expected"),
    [
        ("missions", "from observation.models import Visit\n", "upward"),
        ("missions", "from reports import charts\n", "upward"),
        ("missions", "from .models import Mission\n", None),
        ("missions", "def f():\n    from reports import pipeline\n", "inside a function"),
        ("observation", "import reports.charts.base\n", "upward"),
        ("observation", "from reports.pipeline import visits_changed\n", None),
        ("reports", "from demo.seed import seed\n", "upward"),
        ("common", "from missions.models import Mission\n", "upward"),
        ("reports", "def f():\n    from missions.models import Mission\n", "inside a function"),
        ("reports", "class C:\n    def ready(self):\n        from . import signals\n", None),
        ("demo", "from reports.models import Turnout\n", None),
    ],
)
def test_the_check_catches_what_it_should(tmp_path, monkeypatch, app, source, expected):
    """The checker itself, on small sources written into a throwaway tree."""
    (tmp_path / app).mkdir()
    (tmp_path / app / "module.py").write_text(source)
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    problems = layout_problems()
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and expected in problems[0]
