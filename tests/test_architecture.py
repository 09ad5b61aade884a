"""The engine runs unchanged over archived pages on a cluster: it must import nothing from
fetching, capture, crawling, the audit, the reports or the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "checker"
ENGINE = ("engine", "extract", "nlp", "claims", "compare", "lexicons", "text", "records")
FORBIDDEN = {
    "fetch",
    "robots",
    "capture",
    "crawl",
    "scan",
    "audit",
    "audit_input",
    "audit_state",
    "cli",
    "commands",
    "render",
    "report",
    "progress",
    "demo",
}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("checker"):
            names.add(node.module.split(".")[1] if "." in node.module else "")
            names.update(a.name for a in node.names if node.module == "checker")
        elif isinstance(node, ast.Import):
            names.update(a.name.split(".")[1] for a in node.names if a.name.startswith("checker."))
    return names


@pytest.mark.parametrize("module", ENGINE)
def test_engine_imports_nothing_from_fetching_audit_or_cli(module: str) -> None:
    assert not _imports(PACKAGE / f"{module}.py") & FORBIDDEN


def test_pipeline_is_built_once_per_process() -> None:
    from checker.nlp import pipeline

    assert pipeline() is pipeline()
