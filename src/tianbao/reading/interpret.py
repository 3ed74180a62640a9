"""Read one returned workbook into a `Submission`: the file, its identity, its integrity, its values.

`read_submission` never raises: whatever is wrong with the file becomes an issue, and `readable` says whether
values could be read at all. The steps, in order (each issue names its place):

1. the file: stat, size limit, sha256, then the bytes (`container`): empty, legacy, encrypted, not a zip,
   truncated, zip bomb, macros;
2. the backend reads the head (stamp places) and, once the spec is known, the layout's cells in one pass;
3. identity (`identity`): stamp consistency and serial, known spec, year, the locked cover against the stamp,
   unit (stamp or cover, checked against the roster);
4. integrity (`integrity`): sheets, defined names, labels (row/column insertions), protection;
5. values (`values`) of every input cell, then formulas and cached totals against the recomputed totals;
6. blanks (per sheet) and the cover's contact fields.
"""

from __future__ import annotations

import hashlib
import os
import sys
import zipfile
from pathlib import Path
from typing import Any

from tianbao import caches
from tianbao.cells import clean_text
from tianbao.errors import os_reason
from tianbao.inputs import read_regular_file
from tianbao.issues import Issue, make
from tianbao.reading import container
from tianbao.reading.backend import EMPTY, CellMap, RawWorkbook, ReaderBackend, Wanted
from tianbao.reading.identity import (
    Identity,
    check_serial,
    check_year,
    cover_issues,
    read_stamp,
    resolve_spec,
    resolve_unit,
    stamp_year,
)
from tianbao.reading.integrity import Integrity, check_formulas, check_structure
from tianbao.reading.model import Limits, Submission
from tianbao.reading.plan import Plan, plan_for
from tianbao.reading.values import is_blank, parse_value
from tianbao.roster import Roster
from tianbao.spec import Spec
from tianbao.spec.layout import COVER_SHEET, TITLE_ROW, a1

MAX_LISTED = 10  # blank cells named in one value-blank message


READERS = ("fast", "openpyxl")  # the fast reader (zipfile + expat) and the reference (openpyxl)
DEFAULT_READER = "fast"


def reader_backend(name: str = DEFAULT_READER) -> ReaderBackend:
    """The backend of a reader: "fast" (tianbao.reading.fast_backend, the default: the same results as the
    reference, several times faster) or "openpyxl" (tianbao.reading.openpyxl_backend, the reference)."""
    if name == "fast":
        from tianbao.reading.fast_backend import FastBackend

        return FastBackend()
    if name == "openpyxl":
        from tianbao.reading.openpyxl_backend import OpenpyxlBackend

        return OpenpyxlBackend()
    raise ValueError(f"unknown reader {name!r}: one of {', '.join(READERS)}")


def default_backend() -> ReaderBackend:
    return reader_backend(DEFAULT_READER)


def read_submission(
    path: str | os.PathLike[str],
    *,
    backend: ReaderBackend | None = None,
    limits: Limits = Limits(),  # noqa: B008 - frozen
    expected_year: int | None = None,
    roster: Roster | None = None,
    expected_spec: Spec | None = None,
) -> Submission:
    """Read one workbook. Never raises: problems are issues of the returned submission."""
    sub = Submission(path=str(path))
    try:
        _read(sub, Path(path), backend or default_backend(), limits, expected_year, roster, expected_spec)
    except Exception as exc:  # the promise: a report, never a traceback
        sub.issues.append(container.failure(exc))
        sub.readable = False
    return sub


def _read(
    sub: Submission,
    path: Path,
    backend: ReaderBackend,
    limits: Limits,
    expected_year: int | None,
    roster: Roster | None,
    expected_spec: Spec | None,
) -> None:
    data = _file(sub, path, limits)
    if data is None:
        return
    issues, archive = container.open_archive(data, path, limits)
    sub.issues.extend(issues)
    if sub.has_errors or archive is None:
        if archive is not None:
            archive.close()
        return
    identity = Identity()

    def wanted(head: RawWorkbook) -> CellMap:
        identity.stamp, identity.issues = read_stamp(head)
        if identity.stamp is None:
            return {}
        identity.issues.extend(check_serial(identity.stamp))
        identity.spec, spec_issues = resolve_spec(identity.stamp, expected_spec)
        identity.issues.extend(spec_issues)
        if identity.spec is None:
            return {}
        if identity.stamp.kind == "imported":  # also its 原报告 sheet: the printed totals
            from tianbao.importing.sheet import SOURCE_SHEET, extent

            return {**plan_for(identity.spec).wanted, SOURCE_SHEET: extent(identity.spec)}
        return plan_for(identity.spec).wanted

    with archive:
        raw = _backend_read(backend, path, data, archive, wanted, limits.max_cells)
    if identity.stamp is None:
        sub.issues.append(make("not-a-template"))
        return
    sub.stamp, sub.spec = identity.stamp, identity.spec
    sub.year = stamp_year(identity.stamp)
    sub.issues.extend(identity.issues)
    sub.issues.extend(check_year(identity.stamp, expected_year))
    if identity.spec is None:
        return
    _interpret(sub, plan_for(identity.spec), raw, roster, path, limits)
    sub.readable = True


def _backend_read(
    backend: ReaderBackend,
    path: Path,
    data: bytes,
    archive: zipfile.ZipFile,
    wanted: Wanted,
    max_cells: int | None,
) -> RawWorkbook:
    """The backend reads the bytes already read (and the zip already opened) when it can, else the file."""
    read_bytes = getattr(backend, "read_bytes", None)  # a `BytesReaderBackend`
    if read_bytes is not None:
        return read_bytes(path, data, wanted, max_cells=max_cells, archive=archive)  # type: ignore[no-any-return]
    return backend.read(path, wanted, max_cells=max_cells)


def _file(sub: Submission, path: Path, limits: Limits) -> bytes | None:
    """The file's bytes, or None with an issue. Opened without blocking and checked to be a regular file
    before anything is read: a FIFO or a device named .xlsx must not hang the run."""
    try:
        data, st = read_regular_file(path, limits.max_file_size)
    except OSError as exc:
        sub.issues.append(make("file-unreadable", reason=os_reason(exc)))
        return None
    sub.size, sub.mtime = st.st_size, st.st_mtime
    size = max(st.st_size, len(data))  # the file may have grown since it was measured
    if size > limits.max_file_size:
        found, limit = container.human_size(size), container.human_size(limits.max_file_size)
        sub.issues.append(container.too_large("max_file_size", f"文件大小 {found} 超过上限 {limit}"))
        return None
    sub.size = len(data)
    sub.sha256 = hashlib.sha256(data).hexdigest()
    return data


def _interpret(
    sub: Submission, plan: Plan, raw: RawWorkbook, roster: Roster | None, path: Path, limits: Limits
) -> None:
    spec = plan.spec
    integrity = check_structure(plan, raw)
    sub.issues.extend(integrity.issues)
    cover = _cover(sub, plan, raw, integrity)
    if not integrity.unusable(COVER_SHEET):
        at = {f.id: plan.a1(f"meta.{f.id}") for f in spec.meta} | {"title": a1(TITLE_ROW, 0)}
        title = raw.cell(COVER_SHEET, TITLE_ROW, 0).value
        sub.issues.extend(cover_issues(sub.stamp, cover, title, at))  # type: ignore[arg-type]
    sub.text = _text(plan, raw, integrity)
    where = {k: (COVER_SHEET, plan.a1(f"meta.{k}")) for k in ("unit_code", "unit_name")}
    sub.issues.extend(resolve_unit(sub, sub.stamp, cover, roster, where))  # type: ignore[arg-type]
    if sub.kind == "consolidated":
        _consolidated(sub, plan, raw, integrity, path, limits)
        return
    value_issues = _values(sub, plan, raw, integrity)
    recomputed = plan.spec.compute(sub.values)
    formula_issues, sub.cached = check_formulas(plan, raw, integrity, recomputed, set(sub.invalid))
    sub.issues.extend(formula_issues)
    sub.issues.extend(value_issues)
    if sub.kind == "imported":
        sub.issues.extend(_imported(sub, plan, raw, recomputed))
    sub.issues.extend(_blanks(sub, plan, integrity))
    if COVER_SHEET not in integrity.missing and sub.kind != "imported":  # a report names no 填报人
        missing = [f.label for f in spec.meta if f.required and is_blank(cover.get(f.id))]
        if missing:
            sub.issues.append(make("meta-missing", sheet=COVER_SHEET, fields="、".join(missing)))


def _consolidated(
    sub: Submission, plan: Plan, raw: RawWorkbook, integrity: Integrity, path: Path, limits: Limits
) -> None:
    """A consolidated workbook: its input cells sum the 明细 rows; the values are those sums, recomputed."""
    from tianbao.reading import consolidated

    spec = plan.spec
    detail = consolidated.read_detail(spec, path, limits.max_cells)
    sub.issues.extend(detail.issues)
    if detail.columns:  # 明细 was read (else its issue says why)
        sub.issues.extend(consolidated.member_issues(detail, sub.stamp))  # type: ignore[arg-type]
    cells = {}
    for cell_id in spec.input_ids:
        sheet, row, col = plan.places[cell_id]
        rc = raw.cell(sheet, row, col)
        cells[cell_id] = (rc.formula, rc.cached if rc.formula is not None else rc.value)
    sub.issues.extend(consolidated.summary_issues(spec, detail, cells))
    usable = bool(detail.columns) and not any(integrity.unusable(lay.sheet) for lay in plan.layouts)
    for cell_id in spec.input_ids:
        sub.values[cell_id] = detail.totals.get(cell_id) if usable else None
        if not usable:
            sub.invalid.append(cell_id)
    recomputed = plan.spec.compute(sub.values)
    formula_issues, sub.cached = check_formulas(plan, raw, integrity, recomputed, set(sub.invalid))
    sub.issues.extend(formula_issues)


def _imported(sub: Submission, plan: Plan, raw: RawWorkbook, recomputed: dict[str, Any]) -> list[Issue]:
    """An imported report (tianbao.importing.sheet): the cells the import could not read, while still blank,
    are values that cannot be used, and their issues are said again; every printed total is compared with
    the recomputed one."""
    from tianbao.importing.sheet import imported_issues

    return imported_issues(sub, plan, raw, recomputed)


def _cover(sub: Submission, plan: Plan, raw: RawWorkbook, integrity: Integrity) -> dict[str, Any]:
    cover: dict[str, Any] = {}
    if integrity.unusable(COVER_SHEET):
        return cover
    for f in plan.spec.meta:
        sheet, row, col = plan.places[f"meta.{f.id}"]
        value = raw.cell(sheet, row, col).value
        if isinstance(value, str):
            value = value.strip() or None
        cover[f.id] = value
    sub.meta = dict(cover)
    return cover


def _text(plan: Plan, raw: RawWorkbook, integrity: Integrity) -> dict[str, str] | None:
    """The 正文's text cells that hold text; None when the workbook has no usable 正文 sheet."""
    if not plan.optional or plan.optional[0] not in raw.sheets or integrity.unusable(plan.optional[0]):
        return None
    out: dict[str, str] = {}
    for cell_id, (sheet, row, col) in plan.text.items():
        rc = raw.cell(sheet, row, col)
        text = clean_text(rc.cached if rc.formula is not None else rc.value)
        if text:
            out[cell_id] = text
    return out


def _values(sub: Submission, plan: Plan, raw: RawWorkbook, integrity: Integrity) -> list[Issue]:
    issues: list[Issue] = []
    values, blank, invalid = sub.values, sub.blank, sub.invalid
    unusable = integrity.missing | integrity.changed
    cells = raw.cells
    known = caches.VALUES.get
    for cell in plan.inputs:
        cell_id, sheet = cell.cell_id, cell.sheet
        if sheet in unusable:
            values[cell_id] = None
            invalid.append(cell_id)
            continue
        rc = cells.get((sheet, cell.row, cell.col), EMPTY)
        value, formula = rc.value, rc.formula
        # A value typed into a cell reads the same in every file: most cells of most files are small numbers.
        key = (cell, value, value.__class__, formula)  # 1, 1.0 and True are different values here
        parsed = known(key)
        if parsed is None:
            parsed = parse_value(value, cell.type, cell.where, formula)
            size = sys.getsizeof(value) + sys.getsizeof(formula) + caches.size_of(parsed) + 100
            caches.VALUES.put(key, parsed, size)
        values[cell_id] = parsed.value
        if parsed.blank:
            blank.append(cell_id)
        elif parsed.value is None:
            invalid.append(cell_id)
        if parsed.issue is not None:
            issues.append(parsed.issue)
    return issues


def _blanks(sub: Submission, plan: Plan, integrity: Integrity) -> list[Issue]:
    issues: list[Issue] = []
    if not sub.blank:
        return issues
    blank = set(sub.blank)
    for sheet, inputs in plan.sheet_inputs:
        if integrity.unusable(sheet):
            continue
        empty = [c for c in inputs if c in blank]
        if not empty:
            continue
        if len(empty) == len(inputs):
            issues.append(make("table-empty", sheet=sheet))
            continue
        cells = [plan.a1(c) for c in empty]
        listed = "、".join(cells[:MAX_LISTED]) + (" 等" if len(cells) > MAX_LISTED else "")
        issues.append(make("value-blank", sheet=sheet, cell=cells[0], count=len(cells), cells=listed))
    return issues
