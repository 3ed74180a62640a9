"""Templates are byte-identical from run to run, and the committed templates/ is what `make templates` makes."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PASSWORD, PREVIOUS_2021, REPO, TEMPLATE_KINDS, UNIT, read_stamps
from tianbao.spec import load_spec
from tianbao.template import TemplateOptions, write_template


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", list(TEMPLATE_KINDS))
def test_two_runs_give_identical_bytes(tmp_path: Path, kind: str) -> None:
    fmt, options = TEMPLATE_KINDS[kind]
    spec = load_spec(fmt)
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    stamp1 = write_template(spec, first, options)
    stamp2 = write_template(spec, second, options)
    assert stamp1 == stamp2
    assert first.read_bytes() == second.read_bytes()


def test_order_of_last_years_values_does_not_matter(tmp_path: Path) -> None:
    spec = load_spec("2021")
    reordered = dict(reversed(list(PREVIOUS_2021.items())))
    assert list(reordered) != list(PREVIOUS_2021)
    a = write_template(spec, tmp_path / "a.xlsx", TemplateOptions(2025, UNIT, PREVIOUS_2021, PASSWORD))
    b = write_template(spec, tmp_path / "b.xlsx", TemplateOptions(2025, UNIT, reordered, PASSWORD))
    assert a == b
    assert digest(tmp_path / "a.xlsx") == digest(tmp_path / "b.xlsx")


def test_different_inputs_give_different_files(tmp_path: Path) -> None:
    """The comparisons above are not vacuous: what differs in the options shows in the bytes (and the year and
    the unit in the serial)."""
    spec = load_spec("2021")
    options = [
        TemplateOptions(2025),
        TemplateOptions(2026),
        TemplateOptions(2025, password=PASSWORD),
        TemplateOptions(2025, UNIT),
        TemplateOptions(2025, UNIT, PREVIOUS_2021),
        TemplateOptions(2025, UNIT, {**PREVIOUS_2021, "t3.fwd.np": 5}),
    ]
    digests, serials = set(), set()
    for i, opts in enumerate(options):
        path = tmp_path / f"{i}.xlsx"
        serials.add(write_template(spec, path, opts).serial)
        digests.add(digest(path))
    assert len(digests) == len(options)
    # The serial is the spec's, the year's and the unit's (the reader computes it again): neither the password
    # nor last year's values change it.
    assert len(serials) == 3


def test_committed_templates_are_what_make_templates_makes(tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    out = tmp_path / "templates"
    # -o: take the installed venv as up to date; this test must not reinstall packages.
    proc = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "templates", f"TEMPLATES_DIR={out}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    committed = REPO / "templates"
    made = sorted(p.name for p in out.iterdir())
    assert made == sorted(p.name for p in committed.iterdir())
    assert made  # at least the blank template
    for name in made:
        assert (out / name).read_bytes() == (committed / name).read_bytes(), (
            f"templates/{name} is out of date: run `make templates` and commit the result"
        )


def test_committed_template_carries_the_current_spec() -> None:
    """The committed blank template was made from the spec as it is now (its stamp names the spec's hash)."""
    (path,) = (REPO / "templates").glob("*.xlsx")
    spec = load_spec("2021")
    for place, stamp in read_stamps(path).items():
        assert stamp["tianbao_spec_hash"] == spec.hash, place
        assert stamp["tianbao_spec_version"] == "2021", place
        assert stamp["tianbao_unit_code"] == "", place
