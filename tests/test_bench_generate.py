"""The benchmark's submissions are what towns send: a generated file has the same parts as `fill_template`
writes when the unit's own template is typed into with the same values (core.xml, which records the time of
saving, aside), and `check` gives each the verdict its values call for."""

from __future__ import annotations

import importlib.util
import io
import sys
import zipfile
from pathlib import Path

import pytest

from tianbao.filling import fill_template
from tianbao.options import CheckOptions
from tianbao.roster import load_roster
from tianbao.spec import load_spec
from tianbao.template import TemplateOptions, write_template
from tianbao.validation import check_files

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
_spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
assert _spec is not None and _spec.loader is not None
generate = importlib.util.module_from_spec(_spec)
sys.modules["bench_generate"] = generate
_spec.loader.exec_module(generate)

SPEC = load_spec("2021")


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    scratch = tmp_path_factory.mktemp("bases")
    return {t: generate.make_base(SPEC, t, scratch) for t in ("乡镇", "部门")}


def test_generated_files_are_filled_templates(bases: dict[str, object], tmp_path: Path) -> None:
    plan = list(generate.plan(30, seed=3))
    kinds = {kind for _, _, kind in plan}
    assert "" in kinds and len(kinds) >= 4  # clean ones, and some with warnings or errors
    for unit, values, _ in plan[:6] + [p for p in plan if p[2]][:6]:
        made = zipfile.ZipFile(io.BytesIO(generate.build(bases[unit.type], SPEC, unit, values)))
        template, filled = tmp_path / "template.xlsx", tmp_path / "filled.xlsx"
        write_template(SPEC, template, TemplateOptions(year=generate.YEAR, unit=unit))
        fill_template(template, values, filled)
        with zipfile.ZipFile(filled) as reference:
            assert [i.filename for i in made.infolist()] == [i.filename for i in reference.infolist()]
            for name in reference.namelist():
                if name != "docProps/core.xml":
                    assert made.read(name) == reference.read(name), (unit.code, name)


def test_verdicts_follow_the_values(tmp_path: Path) -> None:
    folder = generate.generate(60, seed=5, out=tmp_path / "n60", jobs=1, quiet=True)
    manifest = __import__("json").loads((folder / "manifest.json").read_text(encoding="utf-8"))
    run = check_files(
        [folder / "submissions"], CheckOptions(year=generate.YEAR, roster=load_roster(folder / "roster.csv"))
    )
    for f in run.report.files:
        kind = manifest["kinds"][Path(f.path).name]
        codes = {i.code for i in f.submission.issues}
        if not kind:
            assert f.status == "accepted", (f.path, codes)
        elif kind in generate.WARNINGS:
            assert f.status == "accepted_with_warnings" and kind in codes, (f.path, codes)
        else:
            assert f.status == "rejected" and kind in codes, (f.path, codes)
