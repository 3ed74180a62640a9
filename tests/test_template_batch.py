"""Templates for a roster are written in parallel processes: the same files, byte for byte, as one by one,
and an error in a worker reaches the user as when writing one template."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from conftest import REPO, YEAR
from tianbao.cli.main import app
from tianbao.roster import load_roster
from tianbao.spec import load_spec
from tianbao.template import TemplateOptions, template_filename
from tianbao.template.batch import PARALLEL_FROM, write_templates

ROSTER = REPO / "samples" / "roster.csv"


def jobs_for(folder: Path) -> list[tuple[Path, TemplateOptions]]:
    units = load_roster(ROSTER)
    assert len(units) >= PARALLEL_FROM  # else the pool would not be used
    return [
        (folder / template_filename(YEAR, u.code, u.name), TemplateOptions(year=YEAR, unit=u)) for u in units
    ]


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_parallel_templates_are_the_same_bytes_as_one_by_one(tmp_path: Path) -> None:
    spec = load_spec("2021")
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    seen: list[tuple[int, int]] = []
    write_templates(spec, jobs_for(one), processes=1)
    write_templates(spec, jobs_for(two), processes=2, progress=lambda done, total: seen.append((done, total)))
    assert contents(one) == contents(two)
    assert len(contents(one)) == len(load_roster(ROSTER))
    assert seen[-1] == (len(load_roster(ROSTER)),) * 2  # the progress ends at the total
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_worker_error_is_a_chinese_message(tmp_path: Path) -> None:
    """A folder in the way of the output folder: its worker fails; the user sees one Chinese error."""
    out = tmp_path / "out"
    out.mkdir()
    unit = list(load_roster(ROSTER))[3]
    (out / template_filename(YEAR, unit.code, unit.name)).mkdir()  # a folder where a file must go
    result = CliRunner().invoke(
        app, ["template", "--year", str(YEAR), "--roster", str(ROSTER), "-o", str(out), "--jobs", "2"]
    )
    assert result.exit_code == 2, result.output
    assert "错误：无法读写" in result.output and "Traceback" not in result.output


def test_template_command_jobs_option(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for folder, jobs in ((one, "1"), (two, "2")):
        result = CliRunner().invoke(
            app, ["template", "--year", str(YEAR), "--roster", str(ROSTER), "-o", str(folder), "-j", jobs]
        )
        assert result.exit_code == 0, result.output
    assert contents(one) == contents(two)
