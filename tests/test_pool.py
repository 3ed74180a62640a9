"""The crash-contained pool (tianbao.pool): results in item order whatever the number of workers; an item
that kills its worker gets the `crashed` result, and only it."""

from __future__ import annotations

import os

from tianbao.pool import DIED, contained_map


def _square_or_die(n: int) -> int:
    if n in (13, 14):
        os._exit(70)  # as a crash in native code would: no exception, no clean-up
    if n == 20:
        raise MemoryError("simulated")
    return n * n + _offset


_offset = 0


def _set_offset(value: int) -> None:
    global _offset
    _offset = value


def test_results_in_order_and_crashes_contained() -> None:
    items = list(range(60))
    ticks: list[int] = []
    got = contained_map(
        _square_or_die,
        items,
        jobs=2,
        crashed=lambda n, reason: -n if reason == DIED else -1000 - n,
        initializer=_set_offset,
        initargs=(1,),
        tick=ticks.append,
    )
    expected = [n * n + 1 for n in items]
    expected[13], expected[14], expected[20] = -13, -14, -1020
    assert got == expected
    assert sum(ticks) == len(items)


def test_one_worker_and_few_items() -> None:
    assert contained_map(_square_or_die, [1, 2, 3], jobs=1, crashed=lambda n, r: 0) == [1, 4, 9]
