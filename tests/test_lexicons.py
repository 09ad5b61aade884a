"""Lexicon loading and validation: rules are data, checked at start-up, with errors that name
the file, the entry and the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from checker.cli.main import main
from checker.engine import lexicons

BUNDLED = lexicons.default_directory()


@pytest.fixture()
def lexdir(tmp_path: Path) -> Path:
    target = tmp_path / "lexicons"
    shutil.copytree(BUNDLED, target)
    return target


def _edit(directory: Path, name: str, change) -> None:
    path = directory / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_bundled_lexicons_load() -> None:
    lex = lexicons.load()
    assert len(lex.evidence) >= 20 and lex.rules and lex.cues


def test_every_evidence_statement_is_enforced_by_a_rule() -> None:
    gaps = [sid for sid, rules in lexicons.coverage(lexicons.load()).items() if not rules]
    assert gaps == []


def test_every_rule_cites_statements_that_exist() -> None:
    lex = lexicons.load()
    for rule in lex.rules:
        assert all(sid in lex.evidence for sid in rule.evidence), rule.id


def test_evidence_statements_cover_the_document() -> None:
    """Each statement's reference numbers appear in the evidence document the project keeps."""
    lex = lexicons.load()
    doc = (BUNDLED / "evidence-base.md").read_text(encoding="utf-8")
    assert "Caudal ESIs may decrease pain for >6 weeks (Level III evidence) 3, 4" in doc
    assert {r for s in lex.evidence.values() for r in s.refs} == {1, 2, 3, 4, 5}


CASES = [
    (
        "claims.yaml",
        lambda d: d["cues"][0].update(category="miracles"),
        "claims.yaml: cues[0] (conflation.compound): category 'miracles'",
    ),
    (
        "claims.yaml",
        lambda d: d["cues"][1]["patterns"].append("(unclosed"),
        "pattern does not compile",
    ),
    (
        "rules.yaml",
        lambda d: d["rules"][0].update(evidence=["NOPE"]),
        "rules.yaml: rules[0] (SC-EFFICACY): cites unknown evidence statement 'NOPE'",
    ),
    (
        "rules.yaml",
        lambda d: d["rules"][0].update(verdict="maybe"),
        "verdict 'maybe' is not one of",
    ),
    (
        "rules.yaml",
        lambda d: d["rules"][0].update(therapies=["homeopathy"]),
        "therapy 'homeopathy'",
    ),
    ("rules.yaml", lambda d: d["rules"][0].update(colour="red"), "unknown key(s) colour"),
    (
        "modifiers.yaml",
        lambda d: d["modifiers"][0].update(direction="sideways"),
        "modifiers[0] (negation.simple): direction 'sideways'",
    ),
    (
        "modifiers.yaml",
        lambda d: d["modifiers"][0].update(category="CONDITIONAL"),
        "category 'CONDITIONAL'",
    ),
    ("evidence.yaml", lambda d: d["statements"][0].update(refs=[9]), "reference numbers 1-5"),
    ("therapies.yaml", lambda d: d["therapies"].append(dict(d["therapies"][0])), "duplicate id"),
    ("therapies.yaml", lambda d: d["therapies"][0].pop("aliases"), "missing key 'aliases'"),
]


@pytest.mark.parametrize(("name", "change", "message"), CASES)
def test_invalid_lexicon_names_file_entry_and_reason(lexdir: Path, name, change, message) -> None:
    _edit(lexdir, name, change)
    with pytest.raises(lexicons.LexiconError) as err:
        lexicons.load(lexdir)
    assert message in str(err.value)


def test_broken_yaml_is_reported_with_the_file(lexdir: Path) -> None:
    (lexdir / "rules.yaml").write_text("rules: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(lexicons.LexiconError, match="lexicons/rules.yaml: file: not valid YAML"):
        lexicons.load(lexdir)


def test_duplicate_key_is_refused(lexdir: Path) -> None:
    path = lexdir / "claims.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\ndurations: {}\n", encoding="utf-8")
    with pytest.raises(lexicons.LexiconError, match="key 'durations' appears twice"):
        lexicons.load(lexdir)


def test_missing_file_is_reported(lexdir: Path) -> None:
    (lexdir / "modifiers.yaml").unlink()
    with pytest.raises(lexicons.LexiconError, match="modifiers.yaml: file: not found"):
        lexicons.load(lexdir)


def test_lexicons_check_command(lexdir: Path, capsys) -> None:
    assert main(["lexicons", "check", "--dir", str(lexdir)]) == 0
    assert "every evidence statement is enforced" in capsys.readouterr().out
    _edit(lexdir, "rules.yaml", lambda d: d["rules"][0].update(evidence=["NOPE"]))
    assert main(["lexicons", "check", "--dir", str(lexdir)]) == 2
    assert "SC-EFFICACY" in capsys.readouterr().err


def test_version_and_evidence_hash_change_with_the_files(lexdir: Path) -> None:
    before = lexicons.load(lexdir)
    with open(lexdir / "evidence-base.md", "a", encoding="utf-8") as fh:
        fh.write("\n")
    _edit(lexdir, "claims.yaml", lambda d: d["cues"][0]["patterns"].append(r"\bzzz\b"))
    after = lexicons.load(lexdir)
    assert before.version != after.version
    assert before.evidence_sha256 != after.evidence_sha256
