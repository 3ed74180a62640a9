"""What the narrative checks say about a text cell and a table quantity: where the issue points, how a text
cell and an expression over table cells are named, the value of such an expression."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tianbao.issues import Issue, make
from tianbao.narrative.sentences import Sentence
from tianbao.spec.compiled import Spec
from tianbao.spec.layout import a1
from tianbao.spec.rules import Term, side_value
from tianbao.spec.text import TextCell, TextSpec
from tianbao.spec.text_layout import text_layout


def where(spec: Spec, cell_id: str) -> dict[str, str]:
    lay = text_layout(spec)
    assert lay is not None
    box = lay.cells[cell_id]
    return {"cell_id": cell_id, "sheet": lay.sheet, "cell": a1(box.row, box.col)}


def label_of(cell: TextCell) -> str:
    """How a message names a text cell: “一、总体情况（二）依申请公开”, “五、存在的主要问题及改进情况”."""
    if cell.role == "section":
        return (
            f"{cell.heading}{cell.label}"
            if cell.label.startswith("（")
            else f"{cell.heading}（{cell.label}）"
        )
    if cell.role == "field":
        return f"{cell.heading}·{cell.label}"
    return cell.label


def describe(spec: Spec, terms: tuple[Term, ...]) -> str:
    """What an expression over cells is, in the tables' words: 表三“一、本年新收政府信息公开申请数量”总计;
    a sum over one group of rows (or columns) by the group: 表三“（三）不予公开”总计."""
    cells = [spec.cells[t.cell] for t in terms if t.cell is not None]
    sheet = cells[0].sheet
    if len(cells) > 1 and all(c.sheet == sheet for c in cells):
        rows = _common([c.row_labels for c in cells])
        cols = _common([c.col_labels for c in cells])
        last = {c.col_labels[-1] for c in cells if c.col_labels}
        if rows and len({c.row_labels for c in cells}) > 1 and len(last) == 1:
            return f"{sheet}“{rows[-1]}”{last.pop()}"
        if cols and not rows and len(last) == 1 and cols[-1] != next(iter(last)):
            return f"{sheet}“{cols[-1]}”{last.pop()}"
    parts = [_one(c) for c in cells]
    return "加".join([parts[0], *(p.removeprefix(sheet) for p in parts[1:])])


def _one(c: Any) -> str:
    if c.row_labels:
        return f"{c.sheet}“{c.row_labels[-1]}”{c.col_labels[-1] if c.col_labels else ''}"
    return f"{c.sheet}“{'”“'.join(c.col_labels[:-1])}”{c.col_labels[-1]}"


def _common(paths: list[tuple[str, ...]]) -> tuple[str, ...]:
    out: list[str] = []
    for parts in zip(*paths, strict=False):
        if len(set(parts)) != 1:
            break
        out.append(parts[0])
    return tuple(out)


def value_of(terms: tuple[Term, ...], values: Mapping[str, float]) -> float:
    return float(side_value(terms, lambda cell_id, _prev: values.get(cell_id) or 0.0))


def mismatch(code: str, spec: Spec, text: TextSpec, cell_id: str, sentence: Sentence, detail: str) -> Issue:
    label = label_of(text.cells[cell_id])
    return make(code, **where(spec, cell_id), label=label, sentence=sentence.quoted, detail=detail)
