"""The declared text part of a report (正文), as the spec's `report:` block says it (validated by pydantic).

The report has a title, an opening paragraph, its parts in order — text parts (一、总体情况 …) and table parts
(二、三、四, each naming its table) — and a 落款. Each piece of text a unit writes is one text cell of the
template's 正文 sheet; `tianbao.spec.text` turns this block into those cells and their ids.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from tianbao.spec.model import _check_id, _Strict

Size = Literal[
    "line", "short", "long"
]  # a one-line field, a sentence or two, a section of several paragraphs
Default = Literal["unit_name", "basis", "period"]  # what the report prints for a blank field


class TextField(_Strict):
    """One text cell: a field of the title, the opening or the 落款, or a sub-section of a part."""

    id: str
    label: str
    hint: str = ""
    size: Size = "long"
    required: bool = False  # the report marks it as missing when blank
    default: Default | None = None

    _id = field_validator("id")(_check_id)


class TextGroup(_Strict):
    """Fields printed together, not as a part of their own: 标题, 开头, 落款."""

    id: str
    label: str
    fields: list[TextField] = Field(min_length=1)

    _id = field_validator("id")(_check_id)


class TextPart(_Strict):
    """A part of the report: a table (`table`) or text — the part's own text cell (its lead) and sub-sections."""

    table: str | None = None
    id: str | None = None
    label: str | None = None
    hint: str = ""  # of the lead cell
    required: bool = (
        False  # the lead: missing when blank (a part with sections is missing when all are blank)
    )
    lead_covers: bool = (
        False  # the lead alone may hold the whole part (sub-sections blank are then not missing)
    )
    warn_empty: bool = False  # `check` warns when the 正文 is written but this part is blank
    max_chars: int | None = Field(default=None, gt=0)  # `check` warns when the part's text is longer
    sections: list[TextField] = Field(default_factory=list)

    _id = field_validator("id")(_check_id)

    @model_validator(mode="after")
    def _table_or_text(self) -> TextPart:
        if (self.table is None) == (self.id is None):
            raise ValueError("a part is either a table (`table`) or text (`id` and `label`)")
        if self.id is not None and not self.label:
            raise ValueError("a text part needs a label")
        if self.table is not None and (self.sections or self.label or self.hint):
            raise ValueError("a table part takes its heading from the table")
        return self


class NumberClaim(_Strict):
    """A count the text may state (“受理…12件”), and what it may mean in the tables: any of `means`
    (expressions over cell ids, as the right side of a rule). `context`: a word the sentence must contain.
    `negatable`: “未收到…”, “未发生…” state the count 0."""

    words: list[str] = Field(min_length=1)
    means: list[str] = Field(min_length=1)
    context: str | None = None
    negatable: bool = False


class FeeCheck(_Strict):
    """Where the text states the fees, and the table values it is checked against."""

    text: list[str] = Field(min_length=1)  # text cells, relative ids: other.fees, other
    requests: str  # the applications handled: no 信息处理费 without one
    amount: str | None = None  # 表二's 本年收费金额（万元）, when the format has it


class ReportChecks(_Strict):
    sets: dict[str, list[str]] = Field(default_factory=dict)  # more sets for `means`, beside the spec's
    numbers: list[NumberClaim] = Field(default_factory=list)
    fees: FeeCheck | None = None


class ReportSpec(_Strict):
    sheet: str = Field(min_length=1, max_length=31)
    title: str  # the report's title: {unit} and {year}
    regulation: str  # 《…》 the opening's default basis cites, with the format's name and number
    instructions: list[str] = Field(min_length=1)  # the 正文 sheet's 填报说明
    front: list[TextGroup] = Field(default_factory=list)
    parts: list[TextPart] = Field(min_length=1)
    back: list[TextGroup] = Field(default_factory=list)
    checks: ReportChecks = Field(default_factory=ReportChecks)
