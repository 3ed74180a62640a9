"""The stamp of a big consolidation: Excel keeps 255 characters in a custom property or a name's text."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tianbao.reading import read_submission
from tianbao.spec import load_spec
from tianbao.stamp import SHORT_LIMIT, Stamp, short_form
from tianbao.template import TemplateOptions, write_template

CODES = [f"150723{i:03d}" for i in range(60)]


def test_short_form_keeps_short_values_and_digests_long_ones() -> None:
    assert short_form("150723100,150723101") == "150723100,150723101"
    long = ",".join(CODES)
    assert len(long) > SHORT_LIMIT
    assert short_form(long).startswith("60个单位 sha256:")
    assert short_form(long) != short_form(long.replace("150723059", "150723999"))
    stamp = Stamp("s", "2021", "h", "2025", members=long)
    assert dict(stamp.items())["tianbao_members"] == long
    assert dict(stamp.items(short=True))["tianbao_members"] == short_form(long)


def test_a_long_member_list_fits_excel_and_is_read_back_whole(tmp_path: Path) -> None:
    path = tmp_path / "汇总.xlsx"
    write_template(
        load_spec("2021"), path, TemplateOptions(year=2025, kind="consolidated", members=tuple(CODES))
    )
    wb = openpyxl.load_workbook(path)
    props = {p.name: str(p.value) for p in wb.custom_doc_props.props}
    assert all(len(v) <= 255 for v in props.values())
    assert all(len(dn.attr_text) <= 255 for dn in wb.defined_names.values())
    wb.close()
    sub = read_submission(path)
    assert sub.stamp is not None and sub.stamp.members == ",".join(CODES)
    assert sub.members == CODES
    assert "stamp-inconsistent" not in [i.code for i in sub.issues]
