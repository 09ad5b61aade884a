"""The architecture, checked from the import graph of every module (function-level imports
included), not from a hand-kept list of files.

The parts and the arrows between them:
  base (records, version) <- engine <- web, report, evaluation <- audit <- cli
                                                                   audit <- spark
The engine runs unchanged over archived pages on a cluster: it imports nothing from web, audit,
report, evaluation or the CLI. Web and report import nothing from the audit or the CLI. No
module imports itself back through others (no cycles), and neither does any package.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "checker"
BASE = {"checker.records", "checker.version"}
PARTS = ("engine", "web", "audit", "report", "evaluation", "cli", "spark")
ALLOWED = {  # part -> parts it may import (itself and base always)
    "base": set(),
    "engine": set(),
    "web": {"engine"},
    "report": {"engine"},
    "evaluation": {"engine"},
    "audit": {"engine", "web", "report"},
    "cli": {"engine", "web", "report", "evaluation", "audit"},
    # the Spark job reads captures like the audit and writes its findings' fields
    "spark": {"engine", "web", "report", "audit"},
    "api": {"engine", "web"},  # checker/__init__.py: the public Python API
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def part_of(module: str) -> str:
    if module in BASE:
        return "base"
    if module == "checker":
        return "api"
    if module == "checker.__main__":
        return "cli"
    return module.split(".")[1]


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


@cache
def imports_of(module: str) -> frozenset[str]:
    """Every checker module `module` imports, anywhere in its body."""
    known, path = modules(), modules()[module]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "checker")
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, module, path.name == "__init__.py")
            if target.split(".")[0] != "checker":
                continue
            for alias in node.names:  # `from pkg import submodule` imports the submodule
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in known else target)
    missing = out - set(known)
    assert not missing, f"{module} imports modules that do not exist: {sorted(missing)}"
    return frozenset(out - {module})


def test_every_module_belongs_to_one_part() -> None:
    loose = [m for m in modules() if part_of(m) not in (*PARTS, "base", "api", "cli")]
    assert not loose, f"modules outside the packages: {loose}"
    assert {part_of(m) for m in modules()} >= set(PARTS)


@pytest.mark.parametrize("part", PARTS)
def test_each_package_says_its_job_and_what_it_may_import(part: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / part / "__init__.py").read_text()))
    assert doc and "import" in doc, f"checker/{part}/__init__.py needs a docstring with its rules"


@pytest.mark.parametrize("module", sorted(modules()))
def test_imports_follow_the_arrows(module: str) -> None:
    part = part_of(module)
    allowed = ALLOWED[part] | {part, "base"}
    bad = sorted(m for m in imports_of(module) if part_of(m) not in allowed)
    assert not bad, f"{module} ({part}) may not import {bad}"


def test_the_engine_imports_nothing_from_web_audit_report_or_cli() -> None:
    engine = [m for m in modules() if part_of(m) == "engine"]
    assert len(engine) >= 8
    for m in engine:
        assert {part_of(i) for i in imports_of(m)} <= {"engine", "base"}, m


def test_web_and_report_import_nothing_from_audit_or_cli() -> None:
    for m in (m for m in modules() if part_of(m) in ("web", "report")):
        assert not {part_of(i) for i in imports_of(m)} & {"audit", "cli"}, m


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
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
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def test_no_import_cycles_between_modules() -> None:
    graph = {m: set(imports_of(m)) for m in modules()}
    assert _cycles(graph) == []


def test_no_import_cycles_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for m in modules():
        graph.setdefault(part_of(m), set()).update(
            part_of(i) for i in imports_of(m) if part_of(i) != part_of(m)
        )
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_nothing_imports_the_cli_but_the_cli() -> None:
    users = [
        m
        for m in modules()
        if part_of(m) != "cli" and any(part_of(i) == "cli" for i in imports_of(m))
    ]
    assert users == []


def test_nothing_imports_the_spark_job() -> None:
    users = [
        m
        for m in modules()
        if part_of(m) != "spark" and any(part_of(i) == "spark" for i in imports_of(m))
    ]
    assert users == []


def test_pipeline_is_built_once_per_process() -> None:
    from checker.engine.nlp import pipeline

    assert pipeline() is pipeline()
