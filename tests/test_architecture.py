"""The shape of the code, read from its imports (docs/ARCHITECTURE.md says why):
the engine never imports an adapter, and no module imports itself back through
others.

Every module of engine/ and adapters/ is parsed, and every import counted,
those inside functions too: an import deferred to call time still ties the
modules together. `from package import name` imports the submodule
`package.name` when there is one, else a name of the package itself; a
package's `__init__` is a module like the others, reached only by what imports
the package by name (a submodule's import does not pass through it in this
graph, even though Python runs it first, so a package whose `__init__` gathers
its submodules is not a cycle of its own).
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGES = {"engine": "facteur.engine", "adapters": "facteur.adapters"}


def module_name(path: Path) -> str:
    top, *parts = path.relative_to(REPO).with_suffix("").parts
    if parts[-1:] == ["__init__"]:
        parts = parts[:-1]
    return ".".join([PACKAGES[top], *parts])


def modules() -> dict[str, Path]:
    return {module_name(path): path for top in PACKAGES for path in sorted((REPO / top).rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module `name` imports, as dotted names (outside ones included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return found


def graph() -> dict[str, set[str]]:
    """The import graph of engine/ and adapters/: module -> the modules of
    engine/ and adapters/ it imports."""
    found = modules()
    known = set(found)
    return {name: imported(name, path, known) & known - {name} for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[tuple[list[str], list[str]]]:
    """Each group of modules that import each other (a strongly connected
    component, by Tarjan's algorithm), smallest first: one of its cycles, as a
    path that starts and ends at the group's first module by name, and the
    group's modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while not group or member != node:
                member = stack.pop()
                group.add(member)
            if len(group) > 1:
                groups.append(group)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    found = [(_shortest_cycle(min(group), edges, group), sorted(group)) for group in groups]
    return sorted(found, key=lambda cycle: (len(cycle[1]), cycle[1]))


def _shortest_cycle(start: str, edges: dict[str, set[str]], group: set[str]) -> list[str]:
    """The shortest path from `start` back to itself inside `group` (breadth first)."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(edges[node] & group):
                if target == start:
                    return paths[node] + [start]
                if target not in paths:
                    paths[target] = paths[node] + [target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"{start} is in a cycle but no path leads back to it")


def test_the_engine_never_imports_an_adapter():
    found = modules()
    offenders = sorted(
        f"{name} imports {target}"
        for name, path in found.items()
        if name.startswith("facteur.engine")
        for target in imported(name, path, set(found))
        if target == "facteur.adapters" or target.startswith("facteur.adapters.")
    )
    assert not offenders, "engine/ must not import adapters/ (adapters hand the engine what it needs):\n" + "\n".join(offenders)


def test_no_module_imports_itself_back_through_others():
    found = cycles(graph())
    assert not found, "modules that import each other (move what they share into a module of its own):\n" + "\n".join(
        f"{' -> '.join(path)}, among {', '.join(group)}" for path, group in found
    )


def test_the_cycle_finder_reports_a_cycle_as_a_path_and_ignores_what_only_leads_to_one():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"a"}, "f": {"g"}, "g": {"f"}}
    assert cycles(edges) == [(["f", "g", "f"], ["f", "g"]), (["a", "b", "c", "a"], ["a", "b", "c"])]


def test_imports_inside_functions_and_submodules_named_from_their_package_are_seen(tmp_path):
    module = tmp_path / "runner.py"
    module.write_text(
        "from facteur.engine.hub import controls, lifecycle\n"
        "from facteur.engine.hub.directory import Directory\n"
        "from . import ledger\n"
        "def later():\n"
        "    import facteur.adapters.mailbox\n"
        "    from facteur.engine.model import Flow\n"
    )
    known = {"facteur.engine.hub.controls", "facteur.engine.hub.directory", "facteur.engine.runtime.ledger"}
    assert imported("facteur.engine.runtime.runner", module, known) == {
        "facteur.engine.hub.controls",  # a submodule, named from its package
        "facteur.engine.hub",  # lifecycle is not a module here: a name of the package
        "facteur.engine.hub.directory",
        "facteur.engine.runtime.ledger",  # relative to the module's package
        "facteur.adapters.mailbox",  # inside a function
        "facteur.engine.model",
    }
