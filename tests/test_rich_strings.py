"""Shared strings written as runs of rich text (as Excel, WPS and LibreOffice save them) are read natively
with the same result as openpyxl's `read_string_table`, and anything else is left to openpyxl."""

from __future__ import annotations

import io
import random

import pytest
from openpyxl.reader.strings import read_string_table

from tianbao.reading.fast_backend.parts import _shared_strings
from tianbao.reading.fast_backend.strings import rich_strings

HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="9" uniqueCount="9">'
FONT_CN = (
    '<rPr><sz val="10"/><color rgb="FF000000"/><rFont val="宋体"/><family val="2"/><charset val="134"/></rPr>'
)
FONT_LATIN = '<rPr><b val="true"/><sz val="14"/><rFont val="Noto Sans CJK SC"/><family val="2"/></rPr>'


def table(*items: str) -> bytes:
    return (HEAD + SST + "".join(items) + "</sst>").encode()


def reference(data: bytes) -> list[str]:
    return list(read_string_table(io.BytesIO(data)))


def run(text: str | None, font: str = FONT_CN) -> str:
    t = "" if text is None else f'<t xml:space="preserve">{text}</t>'
    return f"<r>{font}{t}</r>"


def test_runs_as_libreoffice_writes_them() -> None:
    data = table(
        f"<si>{run('2025', FONT_CN)}{run('年度政府信息公开工作年度报告统计表', FONT_LATIN)}</si>",
        '<si><t xml:space="preserve">单位名称</t></si>',
        f"<si>{run('第')}{run('1', FONT_LATIN)}{run('号镇人民政府')}</si>",
        f"<si><t>前</t>{run('后')}</si>",  # a plain text and runs: the plain first
        f"<si>{run(None)}{run('')}{run(' ')}</si>",  # a run without text, an empty text, a space
        "<si><r><t>no font</t></r></si>",
        "<si><t/></si>",
        '<si><t foo="1">attributes of a text are ignored</t><r><t bar="2">, as openpyxl does</t></r></si>',
        f"<si>{run('a_x005F_x000D_b')}</si>",  # Excel's escape of an escape
        f"<si>{run('&lt;&amp;&gt;')}</si>",
    )
    expected = reference(data)
    assert rich_strings(data) == expected
    assert _shared_strings(data) == expected
    assert expected[0] == "2025年度政府信息公开工作年度报告统计表" and expected[3] == "前后"


@pytest.mark.parametrize(
    "item",
    [
        '<si><r><rPr><sz val="abc"/></rPr><t>x</t></r></si>',  # a font openpyxl refuses
        f'<si>{run("x")}<rPh sb="0" eb="1"><t>ㄒ</t></rPh></si>',  # phonetic runs
        "<si><t>a</t><t>b</t></si>",  # two plain texts
        "<si><r><t>a</t><t>b</t></r></si>",  # two texts in a run
        "<si><t>a<b/>c</t></si>",  # an element inside a text
        '<si><r foo="1"><t>a</t></r></si>',  # a run with an attribute
        '<si><r><rPr><sz val="10"><x/></sz></rPr><t>a</t></r></si>',  # an element inside a font element
        '<si><r><rPr x="1"/><t>a</t></r></si>',  # a font with an attribute
        "<si><foo/><t>a</t></si>",  # an unknown element
    ],
)
def test_other_shapes_are_left_to_openpyxl(item: str) -> None:
    data = table(f"<si>{run('ok')}</si>", item)
    assert rich_strings(data) is None
    try:
        expected = reference(data)
    except Exception as exc:
        with pytest.raises(type(exc)):
            _shared_strings(data)
    else:
        assert _shared_strings(data) == expected  # through openpyxl


PLAIN = ["<t>甲</t>", '<t xml:space="preserve"> 乙 </t>', "<t/>", "<t>a_x005F_b</t>"]
RUNS = [
    run("丙"),
    run("1", FONT_LATIN),
    run(None),
    "<r><t>丁</t></r>",
    '<r><rPr><i val="1"/><u val="single"/><vertAlign val="superscript"/></rPr><t>戊</t></r>',
    '<r><rPr><color theme="1" tint="-0.5"/><scheme val="minor"/></rPr><t>庚</t></r>',
]
ODD = [  # shapes left to openpyxl, or fonts it refuses
    '<r><rPr><u val="wavy"/></rPr><t>己</t></r>',
    '<r><rPr><color rgb="nothex"/></rPr><t>辛</t></r>',
    '<rPh sb="0" eb="1"><t>ㄒ</t></rPh>',
    '<phoneticPr fontId="1"/>',
    "<t>壬</t>",
]


def fuzzed_item(rng: random.Random) -> str:
    parts = [rng.choice(PLAIN)] if rng.random() < 0.4 else []
    parts += rng.choices(RUNS, k=rng.randint(0, 4))
    if rng.random() < 0.05:
        parts.insert(rng.randint(0, len(parts)), rng.choice(ODD))
    return "<si>" + "".join(parts) + "</si>"


def test_fuzzed_tables_agree_with_openpyxl() -> None:
    rng = random.Random(20261126)
    native = 0
    for _ in range(400):
        data = table(*(fuzzed_item(rng) for _ in range(6)))
        got = rich_strings(data)
        try:
            expected = reference(data)
        except Exception:
            assert got is None
            continue
        if got is not None:
            native += 1
            assert got == expected, data.decode()
        assert _shared_strings(data) == expected
    assert native > 100  # the native path is taken, not only the fallback
