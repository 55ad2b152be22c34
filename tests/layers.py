"""The project's own import graph, read with ``ast``: circles and imports against the layer order.

Every import counts, wherever it is written (module level, inside a function, under ``TYPE_CHECKING``):
an import inside a function still makes the importer depend on what it imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from pathlib import Path

Graph = dict[str, set[str]]


def modules(root: Path, tops: Iterable[str]) -> dict[str, Path]:
    """Dotted module name → file, for the packages and single-file modules named in ``tops``."""
    found: dict[str, Path] = {}
    for top in tops:
        single = root / f"{top}.py"
        if single.is_file():
            found[top] = single
        for path in sorted((root / top).rglob("*.py")) if (root / top).is_dir() else []:
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _target(name: str, known: dict[str, Path]) -> str | None:
    """The deepest project module that a dotted name refers to (``a.b.c`` → ``a.b`` if ``c`` is a name)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from pkg import sub`` depends on the submodule ``pkg.sub``, ``from pkg import name`` on ``pkg``
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        out |= {t for t in (_target(n, known) for n in names) if t and t != module}
    return out


def import_graph(root: Path, tops: Iterable[str]) -> Graph:
    """Module → the project modules it imports."""
    known = modules(root, tops)
    return {name: _imports(name, path, known) for name, path in known.items()}


def circles(graph: Graph) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:  # iterative, so a long chain cannot exhaust the recursion limit
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def unit_of(module: str, layers: Sequence[Sequence[str]]) -> tuple[int, str] | None:
    """(layer number, unit) of a module: the longest unit name that is the module or a package above it."""
    best: tuple[int, str] | None = None
    for level, units in enumerate(layers):
        for unit in units:
            if (module == unit or module.startswith(unit + ".")) and (best is None or len(unit) > len(best[1])):
                best = (level, unit)
    return best


def against_the_order(graph: Graph, layers: Sequence[Sequence[str]], exact: Iterable[str] = ()) -> list[str]:
    """Each import that goes up the order or across to a sibling, and each module placed in no layer.

    ``exact`` names units that hold only themselves (``toolkit``: the package's ``__init__``, not every
    module below it).
    """
    exact = set(exact)
    problems = []

    def place(module: str) -> tuple[int, str] | None:
        found = unit_of(module, layers)
        if found and found[1] in exact and module != found[1]:
            return None
        return found

    for module in sorted(graph):
        here = place(module)
        if here is None:
            problems.append(f"{module}: in no layer")
            continue
        for target in sorted(graph[module]):
            there = place(target)
            if there is None or there[1] == here[1]:
                continue
            if there[0] > here[0]:
                problems.append(f"{module} → {target}: imports upward ({here[1]} is below {there[1]})")
            elif there[0] == here[0]:
                problems.append(f"{module} → {target}: imports its sibling {there[1]}")
    return problems
