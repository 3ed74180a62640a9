"""The content caches (`tianbao.caches`) hold at most the bytes they are bounded by, whatever the files."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import make_fixtures as fx

from tianbao import caches
from tianbao.reading import read_submission
from tianbao.reading.fast_backend import FastBackend

MB = 1 << 20


def test_a_cache_drops_its_oldest_entries_past_its_bound_and_keeps_no_huge_one() -> None:
    cache = caches.Cache("test: bounded", 1 * MB, "tests")
    try:
        for i in range(1000):
            cache.put(i, b"x" * 10_000)
            assert cache.size <= cache.limit
        assert 50 < len(cache) < 110 and 999 in cache.data and 0 not in cache.data
        cache.put("huge", b"x" * (cache.limit // 2))
        assert "huge" not in cache.data and cache.size <= cache.limit
        cache.put(999, b"")  # a key kept again is counted once
        assert cache.size == sum(
            caches.size_of(k) + caches.size_of(v) + caches.ENTRY for k, v in cache.data.items()
        )
        cache.clear()
        assert len(cache) == 0 and cache.size == 0
    finally:
        del caches.CACHES[cache.name]


def test_sizes_count_what_a_value_holds() -> None:
    text = "文" * 10_000
    assert caches.size_of((text, [text], {"k": text})) > 3 * 20_000
    assert caches.size_of(caches.Shared()) < 100  # a context object: a reference


def test_files_with_a_large_theme_each_keep_the_caches_within_their_bound(tmp_path: Path) -> None:
    """16 files, each with its own 4 MB theme (read for its CRC, as openpyxl reads it): the inflated parts
    kept stay within their bound, and so does the memory the run keeps (without a bound in bytes, every
    theme was kept: 64 MB)."""
    base = fx.filled(tmp_path / "base.xlsx")
    path = tmp_path / "报表.xlsx"
    backend = FastBackend()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(16):
            path.write_bytes(base.read_bytes())
            fx.rewrite(path, "xl/theme/theme1.xml", lambda _: os.urandom(4 * MB))
            sub = read_submission(path, backend=backend, expected_year=fx.YEAR, roster=fx.ROSTER)
            assert sub.readable and not sub.has_errors
            assert caches.INFLATED.size <= caches.INFLATED.limit
            assert caches.held() <= caches.bound()
        del sub
        kept = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert backend.fallbacks == 0
    assert kept < caches.INFLATED.limit + 8 * MB, f"{kept / MB:.0f} MB kept"
