"""Many templates at once (one per unit of a roster), written in parallel processes.

Each template is written by `write_template` exactly as alone — same bytes whatever the number of
processes or the order they finish in. A template costs about 45 ms of CPU (xlsxwriter), so a province's
roster of a thousand units takes about 43 s on one core and 23 s on two (benchmarks/run.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from tianbao.pool import MAX_JOBS
from tianbao.spec import Spec, known_specs
from tianbao.template.context import TemplateOptions
from tianbao.template.writer import write_template

Job = tuple[Path, TemplateOptions]
Progress = Callable[[int, int], None]
PARALLEL_FROM = 8  # fewer templates than this are written in this process: a pool costs more


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
