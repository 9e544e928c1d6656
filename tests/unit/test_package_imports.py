"""The packages of ``src/commerce`` import each other without cycles.

The import-linter layers keep lower layers from importing higher ones; contexts share one
layer and may call each other's services, so a cycle between two contexts would pass the
layers and is caught here. Imports under ``if TYPE_CHECKING:`` are skipped: they do not
run, and the GraphQL kernel types its services that way.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "commerce"


def _package(module: str) -> str:
    """``commerce.cart`` for ``commerce.cart.api.types``; top-level modules stand alone."""
    return ".".join(module.split(".")[:2])


def _runtime_imports(tree: ast.Module) -> Iterator[str]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for n in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def package_graph() -> dict[str, set[str]]:
    """Each package of ``commerce`` and the other packages it imports at run time."""
    graph: dict[str, set[str]] = {}
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(SOURCE.parent).with_suffix("").parts
        source = _package(".".join(parts).removesuffix(".__init__"))
        targets = graph.setdefault(source, set())
        for imported in _runtime_imports(ast.parse(path.read_text())):
            if imported.startswith("commerce.") and _package(imported) != source:
                targets.add(_package(imported))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of two or more packages (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle_of_three() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_two_packages_import_each_other_at_run_time() -> None:
    graph = package_graph()
    assert "commerce.cart" in graph
    assert "commerce.graphql" in graph
    assert cycles(graph) == []


def test_the_graphql_kernel_imports_no_context_at_run_time() -> None:
    kernel_imports = package_graph()["commerce.graphql"]
    shared_kernel = {
        "commerce.money",
        "commerce.ids",
        "commerce.variant_refs",
        "commerce.problems",
        "commerce.principals",
        "commerce.settings",
    }
    assert kernel_imports <= shared_kernel
