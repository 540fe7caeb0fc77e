"""Wiring a newcomer can see: no module changes another by being imported, no import cycle.

Expectations from the design (STYLE.md 11, DESIGN.md 4): domains talk through services and
the signals of app/signals.py, connected in create_app; each package imports alone.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(APP.rglob("*.py"))}


def _targets(node: ast.AST, current: str) -> set[str]:
    """The app modules an import statement loads, including the packages above them
    (importing app.voting.models first runs app/voting/__init__.py)."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    found = set()
    for name in names:
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            candidate = ".".join(parts[:end])
            if candidate in MODULES and candidate != current and candidate != "app":
                found.add(candidate)
    return found


def _is_type_checking_block(node: ast.AST) -> bool:
    """`if TYPE_CHECKING:` imports are read by type checkers only, never run."""
    return isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def import_graph() -> dict[str, set[str]]:
    """Every import of every module, also those inside functions (they cannot hide a cycle).
    Only app/__init__.py is read at module level: create_app is where the app is assembled."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(node)
            for block in ast.walk(tree)
            if _is_type_checking_block(block)
            for statement in block.body
            for node in ast.walk(statement)
        }
        nodes = tree.body if name == "app" else [node for node in ast.walk(tree) if id(node) not in typing_only]
        graph[name] = set().union(*(_targets(node, name) for node in nodes)) if nodes else set()
        parent = name.rpartition(".")[0]
        if parent and parent != "app":
            # A module's package runs first. (The root package's own imports are read above:
            # at module level it loads only app.errors and app.extensions.)
            graph[name].add(parent)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [{"a", "b", "c"}]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_app_modules():
    assert [sorted(c) for c in cycles(import_graph())] == []


def test_no_module_changes_another_when_imported():
    """A registry filled at import time shows up as a bare call at module level
    (`EXTRA_STEPS.append(...)`, `register_panel(...)`): there must be none."""
    calls = []
    for name, path in MODULES.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                calls.append(f"{name}:{node.lineno} {ast.unparse(node)[:60]}")
    assert calls == []


#: Every module of the app must import in an interpreter that has imported nothing else of it.
ALONE = sorted(MODULES)


#: Runs in a new interpreter: loads the third-party libraries once (they cannot take part in
#: a cycle of ours, and loading them per module would take a minute), then imports each module
#: in a forked child that has imported nothing of the app.
FORK_EACH = """
import os, sys, traceback
import babel, flask, flask_babel, flask_limiter, flask_login, flask_mail, flask_migrate, flask_sqlalchemy, flask_wtf
import fpdf, openpyxl, qrcode, sepaxml, schwifty, sqlalchemy, wtforms
assert not any(m == "app" or m.startswith("app.") or m == "config" for m in sys.modules)
failed = 0
for module in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            __import__(module)
        except BaseException:
            print(module, traceback.format_exc(limit=3), file=sys.stderr)
            os._exit(1)
        os._exit(0)
    failed += os.waitpid(pid, 0)[1] != 0
sys.exit(1 if failed else 0)
"""


def test_each_module_imports_alone_in_a_fresh_interpreter():
    done = subprocess.run(
        [sys.executable, "-c", FORK_EACH, *ALONE], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-4000:]


def test_a_domain_package_alone_brings_no_views():
    """Importing a domain's models does not import its or anyone's pages (that is create_app's job)."""
    code = "import sys, app.voting.models; print(sorted(m for m in sys.modules if m.endswith('routes')))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
