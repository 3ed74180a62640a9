"""Filled workbooks for the consolidation tests, with values known to the test (sums are computed here, in
plain Python, never through tianbao)."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import openpyxl

from tianbao.filling import fill_template
from tianbao.roster import Unit
from tianbao.spec import Spec
from tianbao.template import TemplateOptions, write_template

YEAR = 2025
COUNTY = "150723"
C6 = ("np", "ce", "ri", "spo", "lso", "oth")
R = (
    "r1",
    "r2",
    *(f"r3_{i}" for i in range(1, 9)),
    *(f"r4_{i}" for i in range(1, 4)),
    *(f"r5_{i}" for i in range(1, 6)),
    *(f"r6_{i}" for i in range(1, 4)),
)
T4G = ("review", "lit_direct", "lit_after")
T4R = ("maintain", "correct", "other", "pending")
CONTACT = {"meta.filled_by": "张三", "meta.phone": "0470-5946089", "meta.reviewer": "李四"}


def balanced(seed: int) -> dict[str, float]:
    """Input values of one unit that satisfy H3 (new + carry = results + forwarded), different per seed."""
    v: dict[str, float] = {}
    for i, c in enumerate(C6):
        new, carry = (seed * 3 + i * 2) % 7, (seed + i) % 3
        for row in ("new", "carry", *R, "fwd"):
            v[f"t3.{row}.{c}"] = 0
        v[f"t3.new.{c}"], v[f"t3.carry.{c}"], v[f"t3.fwd.{c}"] = new, carry, carry
        v[f"t3.r4_1.{c}"] = min(new, 1)
        v[f"t3.r1.{c}"] = new - min(new, 1)
    for row in ("rules", "normative"):
        for col in ("issued", "repealed", "valid"):
            v[f"t2.{row}.{col}"] = 0 if row == "rules" else (seed * 5 + len(col)) % 11
    v["t2.licensing.decisions"] = seed * 4 + 1
    v["t2.penalty.decisions"] = (seed * 7) % 5
    v["t2.coercion.decisions"] = seed % 2
    v["t2.fees.amount_wan"] = float(Decimal("0.0380") + Decimal(seed) * Decimal("1.2345"))
    for g in T4G:
        for r in T4R:
            v[f"t4.{g}.{r}"] = (seed + len(g) + len(r)) % 3
    return v


def independent_totals(units: list[Mapping[str, float | None]]) -> dict[str, float]:
    """Sums over the units of every input, and the totals (H1, H2, H4) by their definition."""
    keys = sorted({k for u in units for k in u})
    out = {k: float(sum(Decimal(str(u.get(k) or 0)) for u in units)) for k in keys}
    rows = ("new", "carry", *R, "r7", "fwd")
    for c in C6:
        out[f"t3.r7.{c}"] = sum(out[f"t3.{r}.{c}"] for r in R)
    for row in rows:
        out[f"t3.{row}.tot"] = sum(out[f"t3.{row}.{c}"] for c in C6)
    for g in T4G:
        out[f"t4.{g}.total"] = sum(out[f"t4.{g}.{r}"] for r in T4R)
    return out


def make_file(
    spec: Spec,
    folder: Path,
    name: str,
    unit: Unit,
    values: Mapping[str, float | str | None],
    *,
    filled_on: str = "2026-01-10",
    year: int = YEAR,
) -> Path:
    """A template of `unit` (kept beside `folder`, not in it), filled with `values` as a person would type them."""
    template = folder.parent / "模板" / f"{unit.code}-{year}-{spec.version}.xlsx"
    if not template.exists():
        write_template(spec, template, TemplateOptions(year=year, unit=unit))
    out = folder / name
    fill_template(template, {**values, **CONTACT, "meta.filled_on": filled_on}, out)
    return out


def copy_in_order(root: Path, files: list[Path], folder: Path) -> list[Path]:
    """Copy files under `root` to the same relative places under `folder` (keeping their times), in the
    order given."""
    out = []
    for f in files:
        target = folder / f.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        out.append(Path(shutil.copy2(f, target)))
    return out


def named_values(path: Path) -> dict[str, object]:
    """Every defined cell name of a workbook → the value stored in that cell (no recalculation)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        out: dict[str, object] = {}
        for name, dn in wb.defined_names.items():
            for sheet, ref in dn.destinations:
                if sheet in wb.sheetnames and ":" not in ref:
                    out[name] = wb[sheet][ref.replace("$", "")].value
        return out
    finally:
        wb.close()


def issue_list(source: Path | bytes) -> list[dict[str, object]]:
    """The rows of a consolidated workbook's 问题清单, each by its column's header (as a clerk reads it)."""
    import io

    from tianbao.template.issue_sheet import HEADER_ROW, ISSUES_SHEET

    book = openpyxl.load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source, read_only=True)
    rows = list(book[ISSUES_SHEET].iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    book.close()
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
