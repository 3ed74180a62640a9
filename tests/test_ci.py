"""CI checks what the team checks: `make lint` (ruff and mypy) runs before `make test`."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_lint_runs_ruff_and_mypy() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    lint = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert lint, "the Makefile needs a lint target"
    steps = lint.group(1)
    assert "ruff check" in steps and "ruff format --check" in steps and "mypy src" in steps


def test_ci_lints_before_testing() -> None:
    commands = [
        line.strip()
        for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("make ")
    ]
    assert commands == ["make lint", "make test"]
