"""Many templates at once (one per unit of a roster), written in parallel processes.

Each template is written by `write_template` exactly as alone — same bytes whatever the number of
processes or the order they finish in. A template costs about 45 ms of CPU (xlsxwriter), so a province's
roster of a thousand units takes about 43 s on one core and 23 s on two (benchmarks/run.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING

from tianbao.errors import UsageError
from tianbao.pool import MAX_JOBS
from tianbao.spec import Spec, known_specs
from tianbao.template.context import TemplateOptions, UnitLike
from tianbao.template.writer import template_filename, write_template

if TYPE_CHECKING:
    from tianbao.reading.previous import Previous

Job = tuple[Path, TemplateOptions]
Progress = Callable[[int, int], None]
PARALLEL_FROM = 8  # fewer templates than this are written in this process: a pool costs more


def referenced(spec: Spec, values: Mapping[str, float]) -> dict[str, float]:
    """Last year's values that the spec's checks use; every value a check row shows must be there."""
    used = {c for inst in spec.checks for c in inst.relation.cells(prev=True)}
    shown = {c for inst in spec.checks if inst.rule.check_row for c in inst.relation.cells(prev=True)}
    lacking = sorted(shown - set(values))
    if lacking:
        labels = "、".join(spec.cells[c].full_label for c in lacking[:3])
        raise UsageError(
            f"上年报表中“{labels}”{'等' if len(lacking) > 3 else ''}的数字无法使用",
            "请先改正上年报表中这些单元格，或不用 --previous 生成模板",
        )
    return {c: values[c] for c in sorted(used) if c in values}


def roster_jobs(
    spec: Spec,
    year: int,
    units: Iterable[UnitLike],
    out: Path,
    *,
    previous: Previous | None = None,
    password: str | None = None,
    text: bool = True,
) -> tuple[list[Job], int]:
    """A template per unit, in `out`, with last year's values where `previous` has the unit (by code, or
    by name for a unit of no code); and how many have them; `text`: with the 正文 sheet. Last year's data
    without any unit of the roster is a usage error."""
    jobs: list[Job] = []
    with_prev = 0
    for unit in units:
        last = previous.unit(unit.code, unit.name) if previous is not None else None
        values = referenced(spec, last.values) if last is not None else None
        with_prev += values is not None
        target = out / template_filename(year, unit.code, unit.name)
        jobs.append(
            (target, TemplateOptions(year=year, unit=unit, previous=values, password=password, text=text))
        )
    if previous is not None and not with_prev:
        where = "、".join(previous.sources) or "上年报表"
        raise UsageError(f"上年报表 {where} 中没有名单内单位的数据", "请核对上年报表和单位名单")
    return jobs, with_prev


def write_templates(
    spec: Spec,
    jobs: Sequence[Job],
    *,
    processes: int | None = None,
    progress: Progress | None = None,
) -> None:
    """Write every (target, options) of `jobs`. With `processes` > 1 (default: every CPU core) and enough
    templates, in a pool of worker processes. The first error (a disk that is full, a folder without write
    permission) stops the run and is raised here, as when writing one."""
    processes = processes if processes is not None else (os.cpu_count() or 1)
    total = len(jobs)
    if processes <= 1 or total < PARALLEL_FROM:
        for done, (target, options) in enumerate(jobs, 1):
            write_template(spec, target, options)
            if progress:
                progress(done, total)
        return
    processes = min(processes, MAX_JOBS)
    size = max(1, min(16, total // (processes * 4)))
    batches = [jobs[i : i + size] for i in range(0, total, size)]
    processes = min(processes, len(batches))
    done = 0
    with ProcessPoolExecutor(max_workers=processes) as pool:
        pending = {pool.submit(_write_batch, spec.id, spec.version, list(b)) for b in batches}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    done += future.result()  # raises the worker's error
                    if progress:
                        progress(done, total)
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def _write_batch(spec_id: str, spec_version: str, batch: list[Job]) -> int:
    spec = known_specs()[(spec_id, spec_version)]  # specs are looked up, not pickled
    for target, options in batch:
        write_template(spec, target, options)
    return len(batch)
