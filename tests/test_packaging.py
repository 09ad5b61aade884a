"""The checker as a regulator installs it: a wheel built from the repository, installed into a
fresh virtual environment, run from a directory that is not the source tree. Its rule pack and
evidence document come from inside the wheel; `--lexicons DIR` and $CHECKER_LEXICONS swap in an
edited pack, whose version and SHA-256 then stand on the report."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLAIM = "Our stem cell injections regenerate damaged discs.\n"
pytestmark = pytest.mark.slow


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CHECKER_LEXICONS")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """bin/ of a fresh venv holding only the wheel; its dependencies are borrowed read-only
    from the test environment (a .pth line), so nothing is downloaded."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("checker", "lexicons"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    build = [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"), str(src)]
    subprocess.run(build, check=True, capture_output=True, timeout=300)
    [wheel] = (tmp / "dist").glob("*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = [*pip, "--python", str(python), "install", "--no-deps", str(wheel)]
    subprocess.run(install, check=True, capture_output=True, timeout=300)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "_borrowed_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def _run(bin_dir: Path, cwd: Path, *args: str, env: dict | None = None):
    return subprocess.run(
        [str(bin_dir / "checker"), *args],
        input=CLAIM,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env or _clean_env(),
        timeout=120,
    )


def test_the_wheel_carries_code_lexicons_and_evidence(installed: Path) -> None:
    [wheel] = (installed.parent.parent / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in ("evidence.yaml", "rules.yaml", "claims.yaml", "crawl.yaml", "evidence-base.md"):
        assert f"checker/bundled_lexicons/{f}" in names
    for f in ("language.yaml", "therapies.yaml", "claims.yaml", "modifiers.yaml"):
        assert f"checker/bundled_lexicons/es/{f}" in names  # the Spanish entries
    for pkg in ("engine", "web", "audit", "report", "evaluation", "cli"):
        assert f"checker/{pkg}/__init__.py" in names


def test_installed_checker_runs_from_any_directory(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [str(installed / "python"), "-c", "import checker; print(checker.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_clean_env(),
        check=True,
    ).stdout
    assert str(installed.parent) in where, "the wheel's copy must be the one imported"
    res = _run(installed, tmp_path, "check", "-")
    assert res.returncode == 1, res.stderr
    assert "[contradicts/high] efficacy - stem_cell" in res.stdout
    doc = json.loads(_run(installed, tmp_path, "check", "-", "--format", "json").stdout)
    bundled = hashlib.sha256((ROOT / "lexicons" / "evidence-base.md").read_bytes()).hexdigest()
    assert doc["evidence_sha256"] == bundled
    assert len(doc["lexicons_sha256"]) == 64


def _edited_pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "lexicons", pack)
    rules = pack / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# edited by a regulator\n")
    return pack


def test_an_edited_pack_is_used_and_named_on_the_report(installed: Path, tmp_path: Path) -> None:
    default = json.loads(_run(installed, tmp_path, "check", "-", "--format", "json").stdout)
    pack = _edited_pack(tmp_path)
    by_flag = _run(installed, tmp_path, "check", "-", "--format", "json", "--lexicons", str(pack))
    by_env = _run(
        installed,
        tmp_path,
        "check",
        "-",
        "--format",
        "json",
        env=_clean_env(CHECKER_LEXICONS=str(pack)),
    )
    for res in (by_flag, by_env):
        doc = json.loads(res.stdout)
        assert doc["lexicons_sha256"] != default["lexicons_sha256"]
        assert doc["lexicons"].endswith("+" + doc["lexicons_sha256"][:12])
        assert doc["pages"][0]["findings"], "the edited pack still finds the claim"


def test_an_invalid_pack_is_a_usage_error_naming_file_and_entry(
    installed: Path, tmp_path: Path
) -> None:
    pack = _edited_pack(tmp_path)
    (pack / "rules.yaml").write_text("rules:\n  - id: BROKEN\n", encoding="utf-8")
    res = _run(installed, tmp_path, "check", "-", "--lexicons", str(pack))
    assert res.returncode == 2
    assert "rules.yaml" in res.stderr and "BROKEN" in res.stderr
    missing = _run(installed, tmp_path, "check", "-", "--lexicons", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "nowhere" in missing.stderr
