"""`picker` takes many items at once, as a tuple, whatever their number, with an optional default."""

from __future__ import annotations

import pytest

from tianbao.cells import cell_text, picker


@pytest.mark.parametrize("keys", [(), ("a",), ("a", "c")])
def test_picker_gives_a_tuple_for_any_number_of_keys(keys: tuple[str, ...]) -> None:
    values = {"a": 1.0, "b": 2.0, "c": None}
    assert picker(keys)(values) == tuple(values[k] for k in keys)
    assert picker(range(len(keys)))(["x", "y"]) == ("x", "y")[: len(keys)]


def test_picker_default_only_when_asked() -> None:
    values = {"a": 1.0}
    assert picker(["a", "b"], default=0.0)(values) == (1.0, 0.0)
    assert picker(["b"], default=None)(values) == (None,)
    with pytest.raises(KeyError):
        picker(["a", "b"])(values)


def test_cell_text() -> None:
    assert [cell_text(v) for v in (None, 3.0, 2.5, " 镇 ", 7)] == ["", "3", "2.5", "镇", "7"]
