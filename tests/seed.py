"""The published report of tests/data/seeds/ as 正文 text cells: its sections split at their headings, as a
person copying the report into the template would split it (一、… 六、 and （一）… at the start of a line,
full or half width; the tables of 二、三、四 and the site's footer left out)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

SEED = Path(__file__).parent / "data" / "seeds" / "nuomin-2022-annual-report.txt"
YEAR = 2022
UNIT = "鄂伦春自治旗诺敏镇人民政府"
# The report's own headings → text cell ids (by the words they start with, as the report words them).
SECTIONS = {
    "(一)主动公开": "text.overview.active",
    "(二)依申请公开": "text.overview.request",
    "(三)政府信息管理": "text.overview.management",
    "(四)平台建设": "text.overview.platform",
    "(五)监督保障": "text.overview.oversight",
}
PARTS = {
    "一、": "text.overview",
    "二、": None,
    "三、": None,
    "四、": None,
    "五、": "text.problems",
    "六、": "text.other",
}
_PART = re.compile(r"^[一二三四五六]、")


def seed_text(path: Path = SEED) -> dict[str, str]:
    lines = [unicodedata.normalize("NFKC", line).strip() for line in path.read_text("utf-8").splitlines()]
    lines = [line for line in lines if line]
    cells: dict[str, list[str]] = {}
    current: str | None = "opening"
    for i, line in enumerate(lines):
        if line == UNIT and re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", lines[i + 1]):
            cells["text.closing.unit"], cells["text.closing.date"] = [line], [lines[i + 1]]
            break
        part = _PART.match(line)
        if part:
            current = PARTS[part.group(0)]
            continue  # the part's heading
        section = next((cid for head, cid in SECTIONS.items() if line.startswith(head)), None)
        if section is not None and current is not None and current.startswith("text.overview"):
            current = section
            continue
        if current == "text.other" and line.startswith("(六)收取信息处理费"):
            current = "text.other.fees"
            continue
        if current is not None:
            cells.setdefault(current, []).append(line)
    opening = cells.pop("opening")
    out = {k: "\n".join(v) for k, v in cells.items()}
    out["text.opening.basis"] = opening[0]
    out["text.opening.contact"] = opening[1]
    return out
