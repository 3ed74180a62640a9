"""The declared spec: what the YAML file says, validated on load (pydantic).

This module knows nothing of spreadsheets or data frames; `tianbao.spec.compiled` turns a document into
cells, computed cells and rule instances, and the backends (template, reading, validation) compile those.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.main import IncEx

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
ValueType = Literal["count", "int", "amount"]
Severity = Literal["error", "warning"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_id(value: str | None) -> str | None:
    if value is not None and not ID_RE.match(value):
        raise ValueError(f"id “{value}” must be lower-case letters, digits and _ and start with a letter")
    return value


class Node(_Strict):
    """A node of a row or column header tree. Leaves are rows / columns of data cells."""

    id: str | None = None
    label: str | None = None
    # Other wordings of the label seen in published reports (for `tianbao import`): never dumped, so no part
    # of the structure a stamp's hash names (Spec.hash), as UNHASHED's fields.
    aliases: list[str] = Field(default_factory=list, exclude=True)
    type: ValueType | None = None
    children: list[Node] = Field(default_factory=list)

    _id = field_validator("id")(_check_id)

    @model_validator(mode="after")
    def _leaf_or_group(self) -> Node:
        if self.children and self.type is not None:
            raise ValueError("type is only allowed on a leaf column")
        return self


class Section(_Strict):
    title: str | None = None
    corner: str | None = None
    columns: list[Node] = Field(min_length=1)
    rows: list[Node] = Field(min_length=1)


class Table(_Strict):
    id: str
    sheet: str = Field(min_length=1, max_length=31)
    title: str
    aliases: list[str] = Field(default_factory=list, exclude=True)  # other wordings of the title (as Node's)
    sections: list[Section] = Field(min_length=1)

    _id = field_validator("id")(_check_id)


class MetaField(_Strict):
    """A field of the cover. `identity`: the stamp's (unit, year); `required`: a blank one is reported
    (`meta-missing`); `hint`: the input message of its cell, which may name {year} (the template's year) and
    {next_year}."""

    id: str
    label: str
    kind: Literal["text", "year", "date"] = "text"
    identity: bool = False
    required: bool = False
    hint: str | None = None

    _id = field_validator("id")(_check_id)

    @field_validator("hint")
    @classmethod
    def _hint_names_known_fields(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                value.format(year=0, next_year=0)
            except (KeyError, IndexError, ValueError, AttributeError):
                raise ValueError(f"hint “{value}” may only name {{year}} and {{next_year}}") from None
        return value

    def input_hint(self, year: int) -> str:
        """The input message of this field's cell in a template of `year`."""
        if self.hint is None:
            return f"填写{self.label}。"
        return self.hint.format(year=year, next_year=year + 1)


class When(_Strict):
    unit_types: list[str] = Field(min_length=1)


class Rule(_Strict):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    title: str
    role: Literal["define", "check"]
    severity: Severity
    each: dict[str, str | list[str]] = Field(default_factory=dict)
    relation: str
    message: str
    fix: str
    when: When | None = None
    check_row: str | None = None


# Fields that only word the templates' help or say which contact fields to ask for: not part of the
# structure a stamp's hash names (Spec.hash), so that changing them leaves the templates already sent valid.
# The text part (`report`, the 正文 sheet) neither: it is optional in a workbook, and templates made before it
# existed keep their stamp (`tianbao.spec.text`).
_META_HELP: IncEx = {"__all__": {"required", "hint"}}
UNHASHED: IncEx = {"meta": _META_HELP, "report": True}


class SpecDocument(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: str = Field(min_length=1)
    name: str
    basis: str
    meta: list[MetaField]
    sets: dict[str, list[str]] = Field(default_factory=dict)
    tables: list[Table] = Field(min_length=1)
    rules: list[Rule] = Field(default_factory=list)
    report: ReportSpec | None = None  # the 正文 (tianbao.spec.text_model); not part of the structure hash


from tianbao.spec.text_model import ReportSpec  # noqa: E402 - it builds on the classes above

SpecDocument.model_rebuild()
