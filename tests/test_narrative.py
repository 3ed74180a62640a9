"""The narrative checks: counts and fees stated in the 正文 against the tables, blank and overlong parts,
text repeated from last year — on crafted sentences written as reports write them, and on a real report
(tests/data/seeds/, split by tests/seed.py) with its own tables and with tables that contradict it."""

from __future__ import annotations

from typing import Any

import pytest

from seed import YEAR, seed_text
from tianbao.issues import CATALOGUE
from tianbao.narrative import narrative_issues
from tianbao.narrative.claims import stated_counts
from tianbao.narrative.sentences import chinese_number, sentences
from tianbao.spec import load_spec
from tianbao.spec.text import text_spec

SPEC = load_spec("2021")
TEXT = text_spec(SPEC)
assert TEXT is not None
REQUEST = "text.overview.request"


def zeros(given: dict[str, float] | None = None) -> dict[str, float]:
    """Every cell 0, those `given` as given."""
    values = {c: 0.0 for c in SPEC.cells}
    values.update(given or {})
    return values


def counts(text: str, year: int | None = 2025) -> list[tuple[str, int]]:
    """(the claim's first word, the count) for every count stated in `text`."""
    assert TEXT is not None
    return [
        (TEXT.claims[s.claim].words[0], s.value)
        for sentence in sentences(text)
        for s in stated_counts(sentence, TEXT.claims, year)
    ]


PROBLEMS = {"text.problems": "政府信息公开工作还有差距。"}  # written, so that 五 is not the warning


def codes(text: dict[str, str], values: dict[str, float], **kwargs: Any) -> list[str]:
    return [i.code for i in narrative_issues(SPEC, {**PROBLEMS, **text}, values, year=2025, **kwargs)]


def issues_of(text: dict[str, str], values: dict[str, float]) -> list[Any]:
    return narrative_issues(SPEC, {**PROBLEMS, **text}, values, year=2025)


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("三", 3),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("两", 2),
        ("一百零五", 105),
        ("两千", 2000),
        ("一万二千", 12000),
    ],
)
def test_chinese_numerals(numeral: str, value: int) -> None:
    assert chinese_number(numeral) == value


def test_not_a_numeral() -> None:
    assert chinese_number("三五") is None and chinese_number("件") is None and chinese_number("") is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("本年度共收到政府信息公开申请12件。", [("收到", 12)]),
        ("全年共受理政府信息公开申请１２件", [("收到", 12)]),  # full-width digits
        ("本年度新收政府信息公开申请三件，上年结转1件。", [("新收", 3), ("上年结转", 1)]),
        (
            "其中予以公开十二件，部分公开两件，不予公开1件，无法提供4件，不予处理1件。",
            [("予以公开", 12), ("部分公开", 2), ("不予公开", 1), ("无法提供", 4), ("不予处理", 1)],
        ),
        ("结转下年度继续办理1件。", [("结转下年度继续办理", 1)]),
        ("共办结申请15件", [("办结", 15)]),
        ("被申请行政复议1起，行政诉讼0件。", [("行政复议", 1), ("行政诉讼", 0)]),
        ("收到行政复议申请1件", [("行政复议", 1)]),  # the nearest word: a 行政复议, not an application
        ("共收到申请1,234件", [("收到", 1234)]),
    ],
)
def test_counts_as_reports_state_them(text: str, found: list[tuple[str, int]]) -> None:
    assert counts(text) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("本年度未收到政府信息公开申请。", [("收到", 0)]),
        ("本年度无依申请公开事项。", [("收到", 0)]),
        ("未发生行政复议和行政诉讼。", [("行政复议", 0), ("行政诉讼", 0)]),
        ("未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。", [("行政复议", 0), ("行政诉讼", 0)]),
        ("未收到行政复议申请。", [("行政复议", 0)]),  # the last word of the phrase is what is denied
    ],
)
def test_negated_counts(text: str, found: list[tuple[str, int]]) -> None:
    assert counts(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "不予以公开2件",  # not 予以公开
        "行政复议结果维持1件",  # a result, not the number of 行政复议
        "上年收到申请10件",  # last year
        "与去年相比受理申请减少3件",
        "2024年受理申请5件",  # another year than the report's
        "受理群众来信12件",  # not applications: no 申请 in the sentence
        "主动公开政府信息345条",
        "办结率100%",
        "全镇各村及社区分别设 1个,共17 个",
        "对未予公开的信息进行了复核",
        "本机关不掌握相关政府信息",
    ],
)
def test_what_states_no_count(text: str) -> None:
    assert counts(text) == []


def test_the_year_of_the_report_is_this_year() -> None:
    assert counts("2025年共受理政府信息公开申请3件", year=2025) == [("收到", 3)]


def test_a_count_that_agrees_with_either_meaning_of_shouli() -> None:
    """受理 is written for 一 and for 一+二 (docs/format.md §6 S3): either agrees."""
    values = zeros({"t3.new.tot": 10, "t3.carry.tot": 2})
    assert codes({REQUEST: "共受理政府信息公开申请10件。"}, values) == []
    assert codes({REQUEST: "共受理政府信息公开申请12件。"}, values) == []
    assert codes({REQUEST: "共受理政府信息公开申请11件。"}, values) == ["text-number-mismatch"]


def test_mismatch_quotes_the_sentence_at_its_cell() -> None:
    issues = issues_of({REQUEST: "本年度未收到政府信息公开申请。其他。"}, zeros({"t3.new.tot": 3}))
    assert [i.code for i in issues] == ["text-number-mismatch"]
    issue = issues[0]
    assert (issue.sheet, issue.cell_id, issue.severity) == ("正文", REQUEST, "warning")
    assert "“本年度未收到政府信息公开申请”" in issue.message
    assert "表三“一、本年新收政府信息公开申请数量”总计为 3" in issue.message
    assert issue.message.startswith("“一、总体情况（二）依申请公开”")


def test_a_breakdown_in_the_same_sentence_is_no_contradiction() -> None:
    text = {REQUEST: "全县共受理政府信息公开申请749件，其中民政局受理12件。"}
    assert codes(text, zeros({"t3.new.tot": 749})) == []


def test_sums_of_row_groups_and_of_litigation() -> None:
    values = zeros({"t3.r3_1.tot": 1, "t3.r3_4.tot": 1, "t4.lit_direct.total": 1, "t4.lit_after.total": 2})
    assert codes({REQUEST: "不予公开2件，行政诉讼3件。"}, values) == []
    issues = issues_of({REQUEST: "不予公开3件。"}, values)
    assert "表三“（三）不予公开”总计为 2" in issues[0].message
    issues = issues_of({REQUEST: "行政诉讼1件。"}, values)
    assert "表四“行政诉讼”总计为 3" in issues[0].message


FEES = "text.other.fees"


@pytest.mark.parametrize(
    ("text", "values", "found"),
    [
        # 信息处理费 and 表二's 行政事业性收费 are different fees: no fee of the one says nothing of the other
        ("本年度未收取信息处理费。", zeros({"t2.fees.amount_wan": 12.5}), []),
        ("2023年度，县发展和改革局政府信息公开未发生收费情况。", zeros({"t2.fees.amount_wan": 3}), []),
        ("收取信息处理费共计380元。", zeros({"t3.new.tot": 2}), []),
        ("收取信息处理费共计380元。", zeros(), ["text-fee-mismatch"]),  # with no application at all
        ("本年度未收取任何费用。", zeros({"t2.fees.amount_wan": 0.038}), ["text-fee-mismatch"]),
        ("本年度未收取任何费用。", zeros(), []),
        ("行政事业性收费共380元。", zeros({"t2.fees.amount_wan": 0.038}), []),
        ("行政事业性收费共0.05万元。", zeros({"t2.fees.amount_wan": 0.038}), ["text-fee-mismatch"]),
        ("本年度无行政事业性收费。", zeros({"t2.fees.amount_wan": 1}), ["text-fee-mismatch"]),
    ],
)
def test_fee_statements(text: str, values: dict[str, float], found: list[str]) -> None:
    assert codes({FEES: text}, values) == found


def test_problems_blank_in_a_written_text() -> None:
    issues = narrative_issues(SPEC, {REQUEST: "本年度未收到政府信息公开申请。"}, zeros())
    assert [(i.code, i.cell_id) for i in issues] == [("text-section-empty", "text.problems")]
    assert "“五、存在的主要问题及改进情况”是空白" in issues[0].message
    assert codes({REQUEST: "本年度未收到政府信息公开申请。"}, zeros()) == []  # 五 written


def test_a_blank_text_is_fine_for_collection() -> None:
    assert narrative_issues(SPEC, {}, zeros()) == []
    assert narrative_issues(SPEC, None, zeros()) == []


def test_overview_over_its_length() -> None:
    long = "主动公开了政府信息。" * 60  # 600 字
    text = {"text.overview.active": long, "text.overview.platform": long}
    issues = issues_of(text, zeros())
    assert [i.code for i in issues] == ["text-too-long"]
    assert issues[0].cell_id == "text.overview" and "共 1,200 字" in issues[0].message
    text["text.overview.platform"] = long[:300]
    assert codes(text, zeros()) == []


def test_a_cell_over_excel_s_limit() -> None:
    text = {"text.other": "说" * 32_768}
    assert codes(text, zeros()) == ["text-cell-too-long"]
    text["text.other"] = "说" * 32_767
    assert codes(text, zeros()) == []
    text["text.other"] = "𠀀" * 16_384  # outside the BMP: two of Excel's characters each
    assert codes(text, zeros()) == ["text-cell-too-long"]


def test_repeated_from_last_year() -> None:
    last = {
        "text.problems": "信息更新不够及时。公开内容还不够全面。工作人员业务水平有待提高。2024年将加强业务培训工作。"
    }
    same = {"text.problems": last["text.problems"].replace("2024", "2026")}  # the year changed only
    assert codes(same, zeros(), previous=last) == ["text-repeated"]
    issue = narrative_issues(SPEC, same, zeros(), year=2025, previous=last)[0]
    assert issue.cell_id == "text.problems"
    assert "4 句中有 4 句与上年报告相同" in issue.message
    half = {"text.problems": "信息更新不够及时。公开内容还不够全面。今年新设了查阅点。群众意见箱已启用。"}
    assert codes(half, zeros(), previous=last) == []  # 2 of 4: not more than half
    assert codes(same, zeros()) == []  # without last year's text, nothing to compare


def test_every_narrative_code_is_catalogued_as_a_warning() -> None:
    for code in (
        "text-number-mismatch",
        "text-fee-mismatch",
        "text-section-empty",
        "text-too-long",
        "text-repeated",
        "text-cell-too-long",
    ):
        assert CATALOGUE[code].severity == "warning"


# --- a real report ---------------------------------------------------------------------------------------


def test_seed_report_agrees_with_its_own_tables() -> None:
    """诺敏镇 2022: no application, no review, no litigation, all tables 0 — its text says so. Its 总体情况
    is long (about 1,600 字): that is the one warning."""
    issues = narrative_issues(SPEC, seed_text(), zeros(), year=YEAR)
    assert [i.code for i in issues] == ["text-too-long"]


def test_seed_report_against_tables_that_contradict_it() -> None:
    values = zeros({"t3.new.tot": 3, "t3.r1.tot": 3, "t4.review.total": 1})
    issues = narrative_issues(SPEC, seed_text(), values, year=YEAR)
    mismatches = [i for i in issues if i.code == "text-number-mismatch"]
    assert len(mismatches) == 2 and all(i.cell_id == REQUEST for i in mismatches)
    assert all("本年度未收到政府信息公开申请" in i.message for i in mismatches)
    assert "表三“一、本年新收政府信息公开申请数量”总计为 3" in mismatches[0].message
    assert "表四“行政复议”总计为 1" in mismatches[1].message


def test_seed_report_fee_statement_against_the_fee_table() -> None:
    """Its 六 says no 信息处理费 was charged: true whatever 表二's 行政事业性收费 is."""
    issues = narrative_issues(SPEC, seed_text(), zeros({"t2.fees.amount_wan": 2}), year=YEAR)
    assert "text-fee-mismatch" not in [i.code for i in issues]


def test_seed_report_copied_the_next_year() -> None:
    last = seed_text()
    copied = {k: v.replace("2022", "2023") for k, v in last.items()}
    issues = narrative_issues(SPEC, copied, zeros(), year=YEAR + 1, previous=last)
    repeated = {i.cell_id for i in issues if i.code == "text-repeated"}
    assert {"text.overview", "text.overview.active", "text.overview.management", "text.other"} <= repeated
    assert "text.other.fees" not in repeated  # one sentence: a fee statement may recur


def test_a_long_sentence_is_quoted_by_its_start() -> None:
    """On one line and at most 80 characters, as every message quotes a cell (cells.shorten)."""
    long = (
        "本年度共收到政府信息公开申请5件，"
        + "均已在法定期限内依法依规予以答复并送达申请人，" * 5
        + "无逾期答复情况。"
    )
    issue = issues_of({REQUEST: long}, zeros({"t3.new.tot": 4}))[0]
    assert issue.code == "text-number-mismatch"
    quoted = long[:79] + "…"
    assert quoted in issue.message and long not in issue.message
