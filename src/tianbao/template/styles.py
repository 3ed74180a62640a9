"""Cell formats of the template, in one place."""

from __future__ import annotations

from typing import Any

from xlsxwriter.workbook import Workbook

INPUT_FILL = "#FFF2CC"  # light yellow: cells to fill in
COMPUTED_FILL = "#E7E6E6"  # grey: formulas, locked
HEADER_FILL = "#DDEBF7"
# A 退回修改 copy's problem cells. Orange, not amber: a warning must not look like a yellow input cell (hue
# 65° against 94° in CIELAB, and much darker), nor like an error (red, hue 23°).
ERROR_FILL = "#FF7C80"
WARNING_FILL = "#FF9933"
NOTICE_FILL = {"error": "#FFD7D8", "warning": "#FFE3C6", "info": HEADER_FILL}
FONT = "宋体"

_BASE: dict[str, Any] = {"font_name": FONT, "font_size": 10, "valign": "vcenter", "text_wrap": True}
_SPECS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14, "align": "center"},
    "subtitle": {"align": "left", "font_size": 10},
    "section_title": {"bold": True, "align": "left", "border": 1, "bg_color": HEADER_FILL},
    "header": {"bold": True, "align": "center", "border": 1, "bg_color": HEADER_FILL},
    "corner": {"align": "center", "border": 1, "bg_color": HEADER_FILL, "font_size": 9},
    "row_label": {"align": "left", "border": 1},
    "row_group": {"align": "center", "border": 1},
    "input_count": {
        "border": 1,
        "bg_color": INPUT_FILL,
        "locked": False,
        "num_format": "0",
        "align": "right",
    },
    "input_int": {"border": 1, "bg_color": INPUT_FILL, "locked": False, "num_format": "0", "align": "right"},
    "input_amount": {
        "border": 1,
        "bg_color": INPUT_FILL,
        "locked": False,
        "num_format": "0.00##",
        "align": "right",
    },
    "input_text": {"border": 1, "bg_color": INPUT_FILL, "locked": False, "num_format": "@", "align": "left"},
    "fixed_text": {"border": 1, "bg_color": COMPUTED_FILL, "num_format": "@", "align": "left"},
    "computed": {"border": 1, "bg_color": COMPUTED_FILL, "num_format": "0", "align": "right"},
    "computed_amount": {"border": 1, "bg_color": COMPUTED_FILL, "num_format": "0.00##", "align": "right"},
    "check": {"border": 1, "align": "center", "bold": True, "bg_color": COMPUTED_FILL},
    "check_label": {"border": 1, "align": "left", "bold": True, "bg_color": COMPUTED_FILL},
    "check_value": {"border": 1, "align": "left", "bold": True, "bg_color": COMPUTED_FILL},
    "prev": {"border": 1, "align": "right", "italic": True, "bg_color": COMPUTED_FILL, "num_format": "0"},
    "prev_label": {"border": 1, "align": "left", "italic": True, "bg_color": COMPUTED_FILL},
    "note": {"align": "left", "valign": "top"},
    "note_bold": {"bold": True, "align": "left"},
    **{
        f"notice_{tone}": {"align": "left", "valign": "top", "border": 2, "bg_color": fill}
        for tone, fill in NOTICE_FILL.items()
    },
    "notice_title": {"bold": True, "font_size": 12, "align": "left", "valign": "top"},
    "fail": {"bg_color": "#FF0000", "font_color": "#FFFFFF", "bold": True},
    "pass": {"font_color": "#008000"},
    "warn": {"bg_color": WARNING_FILL, "bold": True},
    "unfilled": {"font_color": "#808080", "bold": False},
    "bad_text": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "warn_text": {"bg_color": "#FFE3C6", "font_color": "#9C4A00"},
    "list_number": {"align": "center", "border": 1, "num_format": "0"},
    "list_text": {"align": "left", "border": 1, "text_wrap": False},
    "error_cell": {"bg_color": ERROR_FILL, "border": 1, "locked": False, "align": "right"},
    "warning_cell": {"bg_color": WARNING_FILL, "border": 1, "locked": False, "align": "right"},
}

# Formats used only by conditional formatting must not carry font/alignment (they are dxf formats).
_DXF = {"fail", "pass", "warn", "unfilled", "bad_text", "warn_text"}


class Styles:
    def __init__(self, workbook: Workbook) -> None:
        self._wb = workbook
        self._cache: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._cache:
            spec = dict(_SPECS[name]) if name in _DXF else {**_BASE, **_SPECS[name]}
            self._cache[name] = self._wb.add_format(spec)
        return self._cache[name]

    def input_for(self, value_type: str) -> Any:
        return self[f"input_{value_type}"]
