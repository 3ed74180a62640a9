"""The national tables as the report prints them, compared with the format (docs/format.md §2–§4, written
out here by hand, not derived from the code): every header cell's text, rowspan and colspan, row by row, read
back from the HTML with the standard library's parser; every value cell where its cell id says."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tianbao.report import grid_html, table_grid, table_grids
from tianbao.spec import Spec, load_spec

V = "<v>"  # a value cell


class _Rows(HTMLParser):
    """`<tr>` → [(text or V, rowspan, colspan, data-cell-id)], every cell of every row of the tables."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, int, int, str | None]]] = []
        self.texts: dict[str, str] = {}  # data-cell-id → the value cell's text
        self.cell: list[object] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self.cell = [
                tag,
                "",
                int(a.get("rowspan") or 1),
                int(a.get("colspan") or 1),
                a.get("data-cell-id"),
            ]

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell[1] = str(self.cell[1]) + data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self.cell is not None:
            kind, text, rs, cs, cid = self.cell
            if cid is not None:
                self.texts[str(cid)] = str(text)
            self.rows[-1].append((V if kind == "td" else str(text), int(rs), int(cs), cid))  # type: ignore[call-overload]
            self.cell = None


def structure(html: str) -> list[list[tuple[str, int, int]]]:
    p = _Rows()
    p.feed(html)
    return [[(t, rs, cs) for t, rs, cs, _ in row] for row in p.rows]


def values(n: int) -> list[tuple[str, int, int]]:
    return [(V, 1, 1)] * n


T3_HEAD = [
    [("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), ("申请人情况", 1, 7)],
    [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
    [("商业企业", 1, 1), ("科研机构", 1, 1), ("社会公益组织", 1, 1), ("法律服务机构", 1, 1), ("其他", 1, 1)],
]


def t3_rows(version: str) -> list[list[tuple[str, int, int]]]:
    """docs/format.md §3: 25 data rows (2021; 23 in 2019, where （六）其他处理 is one row), 三、本年度办理结果 a
    rowspan-22 label (20 in 2019), （三）…（六） groups of 8, 3, 5, 3 rows."""
    seven = values(7)
    rows = [
        [("一、本年新收政府信息公开申请数量", 1, 3), *seven],
        [("二、上年结转政府信息公开申请数量", 1, 3), *seven],
        [("三、本年度办理结果", 1, 1)],  # rowspan set below
        [("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2), *seven],
    ]
    rows[2] = [("三、本年度办理结果", 22 if version == "2021" else 20, 1), ("（一）予以公开", 1, 2), *seven]
    groups = [
        (
            "（三）不予公开",
            [
                "1.属于国家秘密",
                "2.其他法律行政法规禁止公开",
                "3.危及“三安全一稳定”",
                "4.保护第三方合法权益",
                "5.属于三类内部事务信息",
                "6.属于四类过程性信息",
                "7.属于行政执法案卷",
                "8.属于行政查询事项",
            ],
        ),
        (
            "（四）无法提供",
            ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"],
        ),
        (
            "（五）不予处理",
            [
                "1.信访举报投诉类申请",
                "2.重复申请",
                "3.要求提供公开出版物",
                "4.无正当理由大量反复申请",
                "5.要求行政机关确认或重新出具已获取信息",
            ],
        ),
    ]
    if version == "2021":
        groups.append(
            (
                "（六）其他处理",
                [
                    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                    "3.其他",
                ],
            )
        )
    for group, items in groups:
        rows.append([(group, len(items), 1), (items[0], 1, 1), *seven])
        rows.extend([(item, 1, 1), *seven] for item in items[1:])
    if version == "2019":
        rows.append([("（六）其他处理", 1, 2), *seven])
    rows.append([("（七）总计", 1, 2), *seven])
    rows.append([("四、结转下年度继续办理", 1, 3), *seven])
    return T3_HEAD + rows


# docs/format.md §4: 行政复议 (colspan 5) | 行政诉讼 (colspan 10); the review results rowspan 2; 15 integers.
RESULTS = [("结果维持", 1, 1), ("结果纠正", 1, 1), ("其他结果", 1, 1), ("尚未审结", 1, 1), ("总计", 1, 1)]
T4 = [
    [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
    [*((t, 2, 1) for t, _, _ in RESULTS), ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
    RESULTS + RESULTS,
    values(15),
]

# docs/format.md §2: four stacked sub-tables, each with its title row across the table; a one-column sub-table's
# column spans the three data columns.
T2_2021 = [
    [("第二十条第（一）项", 1, 4)],
    [("信息内容", 1, 1), ("本年制发件数", 1, 1), ("本年废止件数", 1, 1), ("现行有效件数", 1, 1)],
    [("规章", 1, 1), *values(3)],
    [("行政规范性文件", 1, 1), *values(3)],
    [("第二十条第（五）项", 1, 4)],
    [("信息内容", 1, 1), ("本年处理决定数量", 1, 3)],
    [("行政许可", 1, 1), (V, 1, 3)],
    [("第二十条第（六）项", 1, 4)],
    [("信息内容", 1, 1), ("本年处理决定数量", 1, 3)],
    [("行政处罚", 1, 1), (V, 1, 3)],
    [("行政强制", 1, 1), (V, 1, 3)],
    [("第二十条第（八）项", 1, 4)],
    [("信息内容", 1, 1), ("本年收费金额（单位：万元）", 1, 3)],
    [("行政事业性收费", 1, 1), (V, 1, 3)],
]


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_table_three_as_the_format(version: str) -> None:
    assert structure(grid_html(table_grid(load_spec(version), "t3"))) == t3_rows(version)


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_table_four_as_the_format(version: str) -> None:
    assert structure(grid_html(table_grid(load_spec(version), "t4"))) == T4


def test_table_two_as_the_format() -> None:
    assert structure(grid_html(table_grid(load_spec("2021"), "t2"))) == T2_2021


def test_table_two_2019_has_its_own_columns() -> None:
    rows = structure(grid_html(table_grid(load_spec("2019"), "t2")))
    assert rows[1] == [
        ("信息内容", 1, 1),
        ("本年新制作数量", 1, 1),
        ("本年新公开数量", 1, 1),
        ("对外公开总数量", 1, 1),
    ]
    assert ("第二十条第（九）项", 1, 4) in [r[0] for r in rows]


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_every_cell_of_the_spec_is_in_its_table_once(version: str) -> None:
    spec = load_spec(version)
    p = _Rows()
    for g in table_grids(spec):
        p.feed(grid_html(g, cell_ids=True))
    ids = [cid for row in p.rows for _, _, _, cid in row if cid is not None]
    assert sorted(ids) == sorted(spec.cells)


def _width(row_spans: list[list[tuple[int, int]]], n_cols: int) -> None:
    """Every row of a table covers exactly n_cols columns, counting cells spanning down from rows above."""
    carried = [0] * len(row_spans)
    for i, row in enumerate(row_spans):
        width = carried[i] + sum(cs for _, cs in row)
        assert width == n_cols, (i, width)
        for rs, cs in row:
            for k in range(1, rs):
                carried[i + k] += cs


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_rows_are_rectangular(version: str) -> None:
    spec: Spec = load_spec(version)
    for g in table_grids(spec):
        rows = structure(grid_html(g))
        _width([[(rs, cs) for _, rs, cs in r] for r in rows], g.n_cols)


def test_values_are_printed_as_written_and_blank_stays_blank() -> None:
    g = table_grid(load_spec("2021"), "t2")
    p = _Rows()
    p.feed(
        grid_html(
            g, {"t2.rules.issued": 3.0, "t2.fees.amount_wan": 0.038, "t2.rules.valid": None}, cell_ids=True
        )
    )
    assert p.texts["t2.rules.issued"] == "3"
    assert p.texts["t2.fees.amount_wan"] == "0.038"
    assert p.texts["t2.rules.valid"] == "" and p.texts["t2.rules.repealed"] == ""  # None and missing: blank


def test_labels_are_escaped() -> None:
    g = table_grid(load_spec("2021"), "t2")
    html = grid_html(g, {"t2.rules.issued": "<script>"})
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_t3_header_rows_repeat_on_each_page() -> None:
    html = grid_html(table_grid(load_spec("2021"), "t3"))
    head = html.split("<thead>")[1].split("</thead>")[0]
    assert head.count("<tr>") == 3
    assert "<thead>" not in grid_html(table_grid(load_spec("2021"), "t2"))  # several sub-tables: no repeat


SMALL = """
id: small
version: "1"
name: 小表
basis: 测试
meta:
  - {id: unit_name, label: 单位名称, identity: true}
tables:
  - id: t9
    sheet: 表九
    title: 九、一张小表
    sections:
      - corner: 项目
        columns:
          - label: 甲
            children:
              - {id: a, label: 甲一}
              - {id: b, label: 甲二}
          - {id: c, label: 乙}
        rows:
          - label: 第一组
            children:
              - {id: x, label: 子一}
              - {id: y, label: 子二}
          - {id: z, label: 合计}
"""


def test_the_grid_follows_the_spec() -> None:
    """Another spec, another table: nothing of the national tables is written into the grid code."""
    from tianbao.spec import parse_spec

    g = table_grid(parse_spec(SMALL), "t9")
    assert (g.title, g.n_rows, g.n_cols, g.repeat_rows) == ("九、一张小表", 5, 5, 2)
    assert structure(grid_html(g)) == [
        [("项目", 2, 2), ("甲", 1, 2), ("乙", 2, 1)],
        [("甲一", 1, 1), ("甲二", 1, 1)],
        [("第一组", 2, 1), ("子一", 1, 1), *values(3)],
        [("子二", 1, 1), *values(3)],
        [("合计", 1, 2), *values(3)],
    ]
    assert g.at(3, 0).text == "第一组" and g.at(4, 4).cell_id == "t9.z.c"
