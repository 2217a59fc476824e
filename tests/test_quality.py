"""The code is checked as it is written: mypy finds no type error in derive/ and ruff no finding, under
the settings pyproject.toml states (both tools are in the test extra, so CI runs them)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the families the project holds itself to: bug-finding (B, F, E), modern syntax (UP), simpler forms (SIM)
REQUIRED_RULES = {"B", "F", "E", "UP", "SIM"}

needs_mypy = pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is a test extra")
needs_ruff = pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is a test extra")


def _run(argv: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *argv], capture_output=True, text=True, cwd=cwd, check=False)


def _mypy(tmp_path: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    return _run(["mypy", "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / "cache"),
                 *targets])


@needs_mypy
def test_mypy_finds_no_type_error_in_the_package(tmp_path: Path) -> None:
    result = _mypy(tmp_path)  # the files are the config's: derive/
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues found" in result.stdout


@needs_mypy
def test_mypy_under_these_settings_catches_a_wrong_type(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f(x: int) -> str:\n    return x\n\n\ndef g(y):\n    return y\n", encoding="utf-8")
    result = _mypy(tmp_path, str(bad))
    assert result.returncode == 1
    assert "[return-value]" in result.stdout and "[no-untyped-def]" in result.stdout


@needs_ruff
def test_ruff_finds_nothing_in_the_package() -> None:
    result = _run(["ruff", "check", "--no-cache", "derive"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_stated_rule_set_holds_the_bug_finding_families() -> None:
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]["lint"]
    assert set(lint["select"]) >= REQUIRED_RULES
    assert not [rule for rule in lint.get("ignore", []) if rule in REQUIRED_RULES]  # no family switched off whole


@needs_ruff
def test_ruff_under_these_settings_catches_a_closure_over_a_loop_variable(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    return [lambda: i for i in range(3)]\n", encoding="utf-8")
    result = _run(["ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(bad)])
    assert result.returncode == 1 and "B023" in result.stdout
