"""A pool of worker processes in which one bad input costs only its own result.

`contained_map(func, items, …)` is `[func(item) for item in items]`, computed in worker processes, in batches
of items. When a worker dies (a crash in native code, the out-of-memory killer), the items of the batches that
were in flight become suspects and are tried again one per task in a new pool; when that pool breaks too, the
few items it had in flight are tried each alone in a fresh process, so that the culprit is known and gets
`crashed(item, reason)` for its result. The items not yet started go on in batches in a new pool.

Batching matters: a task costs the pool about a millisecond, a file read a few (README 性能).
"""

from __future__ import annotations

import gc
import signal
from collections import deque
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

IN_FLIGHT = 2  # batches queued per worker: enough to keep it busy, few to redo when a worker dies
POLL_SECONDS = 0.5  # how often a waiting run looks whether a worker has died
MAX_BATCH = 32  # items per task
# The most worker processes: ProcessPoolExecutor's limit on Windows; no office computer needs more.
MAX_JOBS = 61
MANAGER_JOIN_SECONDS = 10  # a broken pool's manager thread ends within moments of its workers' end
DIED = "进程意外终止，可能是内存不足或读取组件崩溃"


def contained_map(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    jobs: int,
    crashed: Callable[[T, str], R],
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    tick: Callable[[int], None] | None = None,
) -> list[R]:
    """`func(item)` for every item, in item order, computed by `jobs` worker processes; `crashed(item,
    reason)` (called here, reason in Chinese) for an item whose worker died. `func` and the items travel to
    the workers by pickle; `initializer(*initargs)` runs once in each worker (to hand it what every item
    needs, once); `tick(n)` is called as n more items are done."""
    jobs = max(1, min(jobs, MAX_JOBS, len(items)))  # never more processes than items (a fork bomb)
    start = _Start(initializer, initargs)
    results: dict[int, R] = {}
    todo = list(range(len(items)))
    suspects: list[int] = []

    def done(n: int) -> None:
        if tick is not None:
            tick(n)

    while todo or suspects:
        if suspects:
            lost, suspects = _pool_pass(func, items, suspects, jobs, start, results, done, batch_size=1)
            for i in lost:  # at most jobs × IN_FLIGHT items
                results[i] = _alone(func, items[i], start, crashed)
                done(1)
        else:
            suspects, todo = _pool_pass(func, items, todo, jobs, start, results, done)
    return [results[i] for i in range(len(items))]


class _Start:
    """What a worker runs first: garbage collection on (it may be forked from a parent that paused it while
    it gathers results), then the caller's initializer."""

    def __init__(self, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
        self.initializer, self.initargs = initializer, initargs

    def pool(self, jobs: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=jobs, initializer=_start_worker, initargs=(self.initializer, self.initargs)
        )


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    # Ctrl+C reaches every process of the terminal's group: the parent handles it (and ends the workers);
    # a worker that took it too would print its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.enable()
    if initializer is not None:
        initializer(*initargs)


def _run_batch(func: Callable[[T], R], batch: list[T]) -> list[R]:
    return [func(item) for item in batch]


def _pool_pass(
    func: Callable[[T], R],
    items: Sequence[T],
    todo: list[int],
    jobs: int,
    start: _Start,
    results: dict[int, R],
    done: Callable[[int], None],
    batch_size: int | None = None,
) -> tuple[list[int], list[int]]:
    """Run `todo` in one pool, a few batches in flight per worker, until done or until the pool breaks.
    Returns the items that were in flight when it broke and the items not started."""
    size = batch_size or max(1, min(MAX_BATCH, len(todo) // (jobs * 8)))
    queue = deque(todo[i : i + size] for i in range(0, len(todo), size))
    running: dict[Future[list[R]], list[int]] = {}
    lost: list[int] = []
    pool = start.pool(jobs)
    finished_cleanly = False
    try:
        while queue or running:
            while queue and len(running) < jobs * IN_FLIGHT and not lost:
                batch = queue.popleft()
                try:
                    running[pool.submit(_run_batch, func, [items[i] for i in batch])] = batch
                except BrokenProcessPool:
                    lost.extend(batch)
            if not running:
                break
            finished = _wait_any(pool, running)
            if finished is None:  # a worker died and the executor did not notice
                for batch in running.values():
                    lost.extend(batch)
                running.clear()
                break
            for future in finished:
                batch = running.pop(future)
                try:
                    results.update(zip(batch, future.result(), strict=True))
                    done(len(batch))
                except Exception:  # BrokenProcessPool, or a result that could not be sent back
                    lost.extend(batch)
        finished_cleanly = True
    finally:  # on Ctrl+C or any exception, the workers are ended, not waited for
        _close(pool, broken=bool(lost) or not finished_cleanly)
    return sorted(lost), [i for batch in queue for i in batch]


def _wait_any(pool: ProcessPoolExecutor, futures: Collection[Future[Any]]) -> set[Future[Any]] | None:
    """At least one finished future, or None when a worker of the pool has died without the executor
    failing the futures (CPython's executor can miss a worker killed abruptly, and then waits forever)."""
    while True:
        done, _ = wait(futures, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        if done:
            return done
        # Workers never exit while the pool is open (no max_tasks_per_child): an exit code means death.
        if any(p.exitcode is not None for p in _workers(pool)):
            return None


def _workers(pool: ProcessPoolExecutor) -> list[Any]:
    return list((getattr(pool, "_processes", None) or {}).values())


def _close(pool: ProcessPoolExecutor, broken: bool) -> None:
    """Shut a pool down; a broken one without waiting for its tasks, its surviving workers terminated, and
    then its manager thread joined: that thread takes the executor's shutdown lock as it ends, and a worker
    of the next pool forked while it holds it inherits the lock held — the worker's garbage collection then
    calls the old executor's weakref callback, which waits for that lock forever (a hang seen in the test
    suite after a worker crash). Once the thread has ended, the lock is free and the callback does nothing."""
    if not broken:
        pool.shutdown(wait=True)
        return
    workers = _workers(pool)
    pool.shutdown(wait=False, cancel_futures=True)
    for p in workers:
        if p.exitcode is None:
            p.terminate()
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:
        manager.join(MANAGER_JOIN_SECONDS)


def _alone(func: Callable[[T], R], item: T, start: _Start, crashed: Callable[[T, str], R]) -> R:
    """`func(item)` in a process of its own: a crash there is this item's."""
    pool = start.pool(1)
    broken = True
    try:
        future = pool.submit(func, item)
        if _wait_any(pool, [future]) is None:
            return crashed(item, DIED)
        result = future.result()
        broken = False
        return result
    except BrokenProcessPool:
        return crashed(item, DIED)
    except MemoryError:
        return crashed(item, "内存不足")
    except Exception as exc:
        return crashed(item, f"读取结果无法传回：{type(exc).__name__}")
    finally:
        _close(pool, broken)
