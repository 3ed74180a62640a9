"""The text of a unit's report checked against its tables and last year's text: warnings at the 正文 cell.

- `text-number-mismatch`: a count the text states (`claims`) that none of its meanings in the tables has; in
  one sentence, one stated count that agrees is enough (“全县共受理749件，其中民政局12件”);
- `text-fee-mismatch`: the fee statement (`report.checks.fees`) against 表二's 本年收费金额 and the applications
  of 表三 (`fees`);
- `text-section-empty`: a part the report cannot lack (`warn_empty`) is blank while the 正文 is written (a
  正文 left wholly blank is a collection of statistics only, and fine);
- `text-too-long`: a part longer than its `max_chars`;
- `text-repeated`: more than half the sentences of a section are in last year's report;
- `text-cell-too-long`: a cell over Excel's 32,767 characters (not written by Excel or WPS; they cut it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from tianbao.amounts import TOLERANCE
from tianbao.issues import Issue, make
from tianbao.narrative.claims import stated_counts
from tianbao.narrative.fees import fee_issues
from tianbao.narrative.places import describe, label_of, mismatch, value_of, where
from tianbao.narrative.sentences import Sentence, char_count, sentences, utf16_length
from tianbao.spec.compiled import Spec, fmt_number
from tianbao.spec.text import Part, TextSpec, text_spec

EXCEL_CELL_LIMIT = 32_767
MIN_SENTENCES = 3  # a section shorter than this is not checked for repetition (a fee sentence recurs)
MIN_CHARS = 8  # nor are short sentences (“无。”, headings)
_NOT_TEXT = re.compile(r"[\W_]+")
_YEARS = re.compile(r"(?:19|20)\d{2}")


def number_issues(
    spec: Spec, text: TextSpec, cells: Mapping[str, str], values: Mapping[str, float], year: int | None
) -> list[Issue]:
    issues: list[Issue] = []
    for cell_id, content in cells.items():
        for sentence in sentences(content):
            by_claim: dict[int, list[int]] = {}
            for stated in stated_counts(sentence, text.claims, year):
                by_claim.setdefault(stated.claim, []).append(stated.value)
            for index, stated_values in by_claim.items():
                claim = text.claims[index]
                meant = [value_of(m, values) for m in claim.means]
                if any(abs(v - m) < TOLERANCE for v in stated_values for m in meant):
                    continue
                shown: dict[float, str] = {}  # a meaning of the same value as an earlier one adds nothing
                for m, v in zip(claim.means, meant, strict=True):
                    shown.setdefault(v, f"{describe(spec, m)}为 {fmt_number(v)}")
                detail = "，".join(shown.values())
                issues.append(mismatch("text-number-mismatch", spec, text, cell_id, sentence, detail))
    return issues


def _part_text(part: Part, cells: Mapping[str, str]) -> str:
    return "\n".join(cells[c.id] for c in part.cells if c.id in cells)


def part_issues(spec: Spec, text: TextSpec, cells: Mapping[str, str]) -> list[Issue]:
    issues: list[Issue] = []
    written = any(c.id in cells for p in text.parts for c in p.cells)
    for part in text.parts:
        if part.lead is None:
            continue
        content = _part_text(part, cells)
        if part.spec.warn_empty and written and not content:
            issues.append(make("text-section-empty", **where(spec, part.lead.id), label=part.lead.label))
        limit = part.spec.max_chars
        if limit is not None and content and char_count(content) > limit:
            issues.append(
                make(
                    "text-too-long",
                    **where(spec, part.lead.id),
                    label=part.lead.label,
                    count=f"{char_count(content):,}",
                    limit=f"{limit:,}",
                )
            )
    for cell_id, content in cells.items():
        n = utf16_length(content)
        if n > EXCEL_CELL_LIMIT:
            label = label_of(text.cells[cell_id])
            issues.append(make("text-cell-too-long", **where(spec, cell_id), label=label, count=f"{n:,}"))
    return issues


def sentence_key(sentence: Sentence) -> str:
    """A sentence for comparison with last year's: letters only, the years masked (a copy with the year
    changed is the same sentence)."""
    bare = _NOT_TEXT.sub("", unicodedata.normalize("NFKC", sentence.norm))
    return _YEARS.sub("Y", bare)


def repetition_issues(
    spec: Spec, text: TextSpec, cells: Mapping[str, str], previous: Mapping[str, str]
) -> list[Issue]:
    """Sections more than half of whose sentences are in last year's text (anywhere in it)."""
    before = {sentence_key(s) for content in previous.values() for s in sentences(content)}
    before.discard("")
    issues: list[Issue] = []
    for part in text.parts:
        for cell in part.cells:
            content = cells.get(cell.id)
            if not content:
                continue
            own = [s for s in sentences(content) if len(sentence_key(s)) >= MIN_CHARS]
            if len(own) < MIN_SENTENCES:
                continue
            same = [s for s in own if sentence_key(s) in before]
            if len(same) * 2 > len(own):
                issues.append(
                    make(
                        "text-repeated",
                        **where(spec, cell.id),
                        label=label_of(cell),
                        total=len(own),
                        same=len(same),
                        sentence=same[0].quoted,
                    )
                )
    return issues


def narrative_issues(
    spec: Spec,
    cells: Mapping[str, str] | None,
    values: Mapping[str, float],
    *,
    year: int | None = None,
    previous: Mapping[str, str] | None = None,
) -> list[Issue]:
    """Every warning about a unit's 正文 (`cells`: text cell id → text; None: no 正文 sheet) against its values
    (cell id → value, blanks as 0, totals recomputed) and last year's 正文 (`previous`)."""
    text = text_spec(spec)
    if text is None or not cells:
        return []
    report_cells = {c.id: cells[c.id] for p in text.parts for c in p.cells if c.id in cells}
    issues = number_issues(spec, text, report_cells, values, year)
    issues += fee_issues(spec, text, cells, values)
    issues += part_issues(spec, text, cells)
    if previous:
        issues += repetition_issues(spec, text, cells, previous)
    return issues
