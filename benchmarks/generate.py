"""Generate N filled submissions for the benchmarks: what towns send back, fast.

    .venv/bin/python benchmarks/generate.py 1000            # → benchmarks/out/data/n1000-s1-v2/
    .venv/bin/python benchmarks/generate.py 10000 --seed 2

Each file is a per-unit template (`write_template` with the unit's roster entry) with values typed in by
`fill_template` — except that `fill_template` (openpyxl: load, type, save) takes about a tenth of a second a
file. So it runs once per unit type, on a template stamped for a marker unit and filled with marker values;
every file is then that filled workbook with the markers replaced by the unit's stamp (code, name, serial)
and its values, rendered as openpyxl renders a typed number, text or blank. `tests/test_bench_generate.py`
checks that a generated file has the same parts as `fill_template` writes for the same unit and values.

Values: about 85 % of the units send a clean report (表三 balanced column by column), about 8 % one with
warnings (blanks, “—”, “3件”, full-width digits) and about 7 % one with errors (unbalanced 表三, “不详”, a
negative or fractional count, an empty 表四). The folder gets `roster.csv`, `submissions/*.xlsx` and
`manifest.json` (what each file holds); an existing complete folder is reused.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import random
import re
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tianbao.filling import fill_template
from tianbao.roster import Unit, write_roster
from tianbao.spec import Spec, load_spec
from tianbao.spec.layout import cell_boxes, cover_boxes
from tianbao.template import TemplateOptions, write_template
from tianbao.template.writer import make_stamp

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "data"
YEAR = 2025
PARENT = "150000"
SAVED = (2026, 1, 15, 10, 0, 0)  # the zip entries' time: fixed, so a folder is the same from run to run
C6 = ("np", "ce", "ri", "spo", "lso", "oth")
MARK_CODE, MARK_NAME = "990000001", "MARKUNITNAME"
META = ("filled_by", "phone", "filled_on", "reviewer")
FIRST_MARKER = 7_000_001  # marker numbers typed into the input cells of the base workbook
VERSION = 2  # of the generated values: a folder made by another version is not reused

Value = int | float | str | None


# --- units and values ----------------------------------------------------------------------------------------


def units(n: int) -> list[Unit]:
    """n units of one county: 70 % towns (乡镇), 30 % departments (部门)."""
    out = []
    for i in range(n):
        kind = "部门" if i % 10 >= 7 else "乡镇"
        name = f"第{i + 1}号{'局' if kind == '部门' else '镇人民政府'}"
        out.append(Unit(f"{150000000 + i + 1}", name, kind, PARENT, i + 2))
    return out


def clean_values(spec: Spec, rng: random.Random) -> dict[str, Value]:
    """A plausible report: small counts, 表三 balanced (new + carry = results + forward, column by column)."""
    values: dict[str, Value] = {c: 0 for c in spec.input_ids}

    def small(p_zero: float, top: int) -> int:
        return 0 if rng.random() < p_zero else rng.randint(1, top)

    for c in spec.input_ids:
        if c.startswith("t2.") and not c.startswith("t2.rules.") and c != "t2.fees.amount_wan":
            values[c] = small(0.4, 30)
        elif c.startswith("t4."):
            values[c] = small(0.85, 3)
    values["t2.fees.amount_wan"] = round(rng.random() * 5, 4) if rng.random() < 0.3 else 0
    results = sorted(
        {c.split(".")[1] for c in spec.input_ids if c.startswith("t3.")} - {"new", "carry", "fwd"}
    )
    for col in C6:
        done = 0
        for row in results:
            v = small(0.8 if row == "r1" else 0.95, 6 if row == "r1" else 2)
            values[f"t3.{row}.{col}"] = v
            done += v
        forward = small(0.8, 2)
        values[f"t3.fwd.{col}"] = forward
        carry = rng.randint(0, min(done + forward, 2))
        values[f"t3.carry.{col}"] = carry
        values[f"t3.new.{col}"] = done + forward - carry
    return values


WARNINGS = ("value-blank", "value-dash", "value-unit-suffix", "value-text-number")
ERRORS = ("rule-H3", "value-not-a-number", "value-negative", "value-not-integer", "table-empty")


def submission_values(spec: Spec, rng: random.Random) -> tuple[dict[str, Value], str]:
    """The values a unit types, and what is wrong with them ("" for a clean report)."""
    values = clean_values(spec, rng)
    counts = [c for c in spec.input_ids if spec.cells[c].type == "count"]
    draw = rng.random()
    kind = ""
    if draw < 0.08:
        kind = WARNINGS[rng.randrange(len(WARNINGS))]
    elif draw < 0.15:
        kind = ERRORS[rng.randrange(len(ERRORS))]
    cell = rng.choice(counts)
    if kind == "value-blank":
        for c in rng.sample([c for c in counts if values[c] == 0], 3):
            values[c] = None
    elif kind == "value-dash":
        zero = [c for c in counts if values[c] == 0]
        values[rng.choice(zero)] = "—"
    elif kind == "value-unit-suffix":
        values[cell] = f"{values[cell]}件"
    elif kind == "value-text-number":
        values[cell] = str(values[cell]).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    elif kind == "rule-H3":
        c = f"t3.r1.{rng.choice(C6)}"
        values[c] = int(values[c] or 0) + 1  # type: ignore[arg-type]
    elif kind == "value-not-a-number":
        values[cell] = "不详"
    elif kind == "value-negative":
        values[cell] = -1
    elif kind == "value-not-integer":
        values[cell] = 2.5
    elif kind == "table-empty":
        for c in spec.input_ids:
            if c.startswith("t4."):
                values[c] = None
    return values, kind


def cover_values(unit: Unit, rng: random.Random) -> dict[str, str]:
    return {
        "meta.filled_by": rng.choice(("张伟", "王芳", "李娜", "刘洋", "陈静")),
        "meta.phone": f"0470-{rng.randint(5000000, 5999999)}",
        "meta.filled_on": f"2026-01-{rng.randint(5, 25):02d}",
        "meta.reviewer": rng.choice(("赵磊", "孙敏", "周强")),
    }


# --- rendering: what openpyxl writes for a typed value -------------------------------------------------------


def _escape(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


def render(ref: str, style: str, value: Value) -> bytes:
    """The `<c>` element openpyxl writes for a cell typed with `value` (its etree writer)."""
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}" t="n" />'.encode()
    if isinstance(value, bool):
        raise TypeError("booleans are not typed into the template")
    if isinstance(value, int | float):
        return f'<c r="{ref}" s="{style}" t="n"><v>{value:.16g}</v></c>'.encode()
    if value.startswith("="):
        raise ValueError("formulas are not typed by the generator")
    space = b' xml:space="preserve"' if value.strip() and value != value.strip() else b""
    head = f'<c r="{ref}" s="{style}" t="inlineStr"><is><t'.encode()
    return head + space + b">" + _escape(value) + b"</t></is></c>"


# --- the base workbook of a unit type -----------------------------------------------------------------------


@dataclasses.dataclass
class Base:
    """A template stamped for the marker unit and filled with marker values (one per unit type)."""

    spec_version: str
    unit_type: str
    members: list[tuple[str, bytes]]  # zip members in openpyxl's order
    serial: str  # the marker unit's template serial
    cells: dict[str, tuple[str, str, bytes]]  # cell id or meta.<id> → (member, style, marker <c> element)


def marker_values(spec: Spec) -> dict[str, Value]:
    values: dict[str, Value] = {c: FIRST_MARKER + i for i, c in enumerate(spec.input_ids)}
    values.update({f"meta.{m}": f"MARKMETA{m.upper()}" for m in META})
    return values


def make_base(spec: Spec, unit_type: str, scratch: Path) -> Base:
    marker = Unit(MARK_CODE, MARK_NAME, unit_type, PARENT, 0)
    options = TemplateOptions(year=YEAR, unit=marker)
    template = scratch / f"template-{unit_type}.xlsx"
    filled = scratch / f"filled-{unit_type}.xlsx"
    write_template(spec, template, options)
    markers = marker_values(spec)
    fill_template(template, markers, filled)
    with zipfile.ZipFile(filled) as zf:
        members = [(i.filename, zf.read(i.filename)) for i in zf.infolist()]
    sheet_of = {sheet: _sheet_part(members, sheet) for sheet in _sheet_names(members)}
    cells: dict[str, tuple[str, str, bytes]] = {}
    boxes = {
        **{k: v for k, v in cell_boxes(spec).items()},
        **{f"meta.{k}": ("封面", b) for k, b in cover_boxes(spec).items()},
    }
    data = dict(members)
    for key, value in markers.items():
        sheet, box = boxes[key]
        part = sheet_of[sheet]
        ref = _a1(box.row, box.col)
        found = re.search(rb'<c r="' + ref.encode() + rb'" s="(\d+)" t="[^"]+">.*?</c>', data[part])
        assert found and render(ref, found.group(1).decode(), value) == found.group(0), (key, found)
        cells[key] = (part, found.group(1).decode(), found.group(0))
    return Base(spec.version, unit_type, members, make_stamp(spec, options).serial, cells)


def _a1(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def _sheet_names(members: list[tuple[str, bytes]]) -> list[str]:
    workbook = dict(members)["xl/workbook.xml"].decode()
    return re.findall(r'<sheet name="([^"]+)"', workbook)


def _sheet_part(members: list[tuple[str, bytes]], sheet: str) -> str:
    data = dict(members)
    workbook = data["xl/workbook.xml"].decode()
    rels = data["xl/_rels/workbook.xml.rels"].decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', workbook)
    assert rid, sheet
    target = re.search(rf'<Relationship[^>]*Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels) or re.search(
        rf'<Relationship[^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels
    )
    assert target, sheet
    return target.group(1).lstrip("/")


def build(base: Base, spec: Spec, unit: Unit, values: Mapping[str, Value]) -> bytes:
    """The filled workbook of `unit` with `values` (cell id or meta.<id> → value), as a zip file's bytes."""
    serial = make_stamp(spec, TemplateOptions(year=YEAR, unit=unit)).serial
    stamp = {
        MARK_CODE.encode(): unit.code.encode(),
        MARK_NAME.encode(): _escape(unit.name),
        base.serial.encode(): serial.encode(),
    }
    edits: dict[str, list[tuple[bytes, bytes]]] = {}
    for key, value in values.items():
        part, style, marker = base.cells[key]
        ref = marker.split(b'"', 2)[1].decode()
        edits.setdefault(part, []).append((marker, render(ref, style, value)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in base.members:
            for old, new in edits.get(name, ()):
                data = data.replace(old, new, 1)
            if name.endswith(".xml"):
                for old, new in stamp.items():
                    data = data.replace(old, new)
            info = zipfile.ZipInfo(name, date_time=SAVED)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            zout.writestr(info, data)
    return buf.getvalue()


# --- the folder -------------------------------------------------------------------------------------------


def plan(n: int, seed: int) -> Iterator[tuple[Unit, dict[str, Value], str]]:
    spec = load_spec("2021")
    rng = random.Random(seed)
    for unit in units(n):
        values, kind = submission_values(spec, rng)
        values.update(cover_values(unit, rng))
        yield unit, values, kind


_BASES: dict[str, Base] = {}


def _init(bases: dict[str, Base]) -> None:
    _BASES.update(bases)


def _write(job: tuple[str, Unit, dict[str, Value]]) -> None:
    path, unit, values = job
    Path(path).write_bytes(build(_BASES[unit.type], load_spec("2021"), unit, values))


def generate(n: int, seed: int = 1, out: Path | None = None, jobs: int = 2, quiet: bool = False) -> Path:
    """Write (or reuse) the folder of n submissions; return it."""
    folder = out or OUT / f"n{n}-s{seed}-v{VERSION}"
    manifest = folder / "manifest.json"
    if manifest.is_file():
        return folder
    started = time.perf_counter()
    submissions = folder / "submissions"
    submissions.mkdir(parents=True, exist_ok=True)
    spec = load_spec("2021")
    roster = units(n)
    write_roster(folder / "roster.csv", roster)
    with tempfile.TemporaryDirectory() as scratch:
        bases = {t: make_base(spec, t, Path(scratch)) for t in sorted({u.type for u in roster})}
    jobs_list, kinds = [], {}
    for unit, values, kind in plan(n, seed):
        name = f"{unit.code}_{unit.name}.xlsx"
        jobs_list.append((str(submissions / name), unit, values))
        kinds[name] = kind
    if jobs > 1 and n >= 100:
        with ProcessPoolExecutor(jobs, initializer=_init, initargs=(bases,)) as pool:
            for _ in pool.map(_write, jobs_list, chunksize=64):
                pass
    else:
        _init(bases)
        for job in jobs_list:
            _write(job)
    summary = {k: sum(1 for v in kinds.values() if v == k) for k in ("", *WARNINGS, *ERRORS)}
    manifest.write_text(
        json.dumps(
            {"n": n, "seed": seed, "year": YEAR, "parent": PARENT, "kinds": kinds, "summary": summary},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    if not quiet:
        print(
            f"generated {n} submissions in {time.perf_counter() - started:.1f} s → {folder}", file=sys.stderr
        )
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of submissions")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--out", type=Path, default=None, help="folder (default benchmarks/out/data/n<N>-s<seed>-v<version>)"
    )
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    generate(args.n, args.seed, args.out, args.jobs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["Base", "build", "generate", "make_base", "plan", "render", "submission_values", "units"]
