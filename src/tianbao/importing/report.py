"""Read one published report: extract it (by kind), find its format, year and unit, read every cell.

`read_report` never raises for a bad report: what is wrong becomes an issue of the `ReportReading` (and
`spec` is None when nothing could be read). The cells are those of the format's spec: the input cells as
printed (`values`), the printed totals (`published`), and the cells that could not be read with certainty
(`unreadable`, each with its reason, left blank).
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tianbao.errors import os_reason
from tianbao.importing.assemble import assemble
from tianbao.importing.document import KINDS, SUFFIXES, Document
from tianbao.importing.identity import ReportIdentity, identify
from tianbao.importing.labels import COL, ROW, label_index
from tianbao.importing.normalize import core, norm
from tianbao.importing.resolve import read_table
from tianbao.importing.rows import records
from tianbao.issues import Issue, make
from tianbao.reading.model import Limits
from tianbao.spec import FORMATS, Spec, load_spec
from tianbao.spec.layout import a1, cell_boxes

AUTO = "auto"


@dataclass
class ReportReading:
    path: str
    kind: str = ""  # html | docx | pdf | text
    sha256: str = ""
    size: int = 0
    spec: Spec | None = None
    identity: ReportIdentity = field(default_factory=ReportIdentity)
    year: int | None = None
    unit_name: str = ""
    values: dict[str, str | None] = field(default_factory=dict)  # input cell id → as printed; None: blank
    published: dict[str, str | None] = field(default_factory=dict)  # computed cell id → the printed total
    unreadable: dict[str, str] = field(default_factory=dict)  # cell id → why it was left blank
    missing: list[str] = field(default_factory=list)  # table ids not in the report
    issues: list[Issue] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return self.spec is not None

    @property
    def fmt(self) -> str:
        return self.spec.version if self.spec is not None else ""

    def counts(self) -> dict[str, int]:
        """Input cells read (a value printed), blank (printed empty) and unreadable."""
        inputs = [c for c in self.values if c not in self.unreadable]
        filled = sum(1 for c in inputs if self.values[c] is not None)
        return {
            "read": filled,
            "blank": len(inputs) - filled,
            "unreadable": sum(1 for c in self.unreadable if c in self.values),
        }


def extract(data: bytes, suffix: str) -> tuple[str, Document]:
    """The document in a report's bytes, by what the bytes are (then by the file's suffix)."""
    from tianbao.importing.html import read_html
    from tianbao.importing.pdf import read_pdf
    from tianbao.importing.text import read_text
    from tianbao.importing.word import read_docx

    readers: dict[str, Callable[[bytes], Document]] = {
        "html": read_html,
        "docx": read_docx,
        "pdf": read_pdf,
        "text": read_text,
    }
    kind = sniff(data) or SUFFIXES.get(suffix.lower(), "")
    if kind not in readers:
        raise _Unreadable(_unsupported(data, suffix))
    return kind, readers[kind](data)


def sniff(data: bytes) -> str | None:
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or _zip_has(data, "word/document.xml") else None
    if head[:1] == b"<" and any(
        t in head.lower() for t in (b"<html", b"<!doctype html", b"<table", b"<body", b"<meta")
    ):
        return "html"
    return None


def _zip_has(data: bytes, name: str) -> bool:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return name in zf.namelist()
    except zipfile.BadZipFile:
        return False


def _unsupported(data: bytes, suffix: str) -> str:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "这是旧版 Word 或 WPS 文档（.doc / .wps），请另存为 .docx 后再导入"
    if data.startswith(b"PK\x03\x04"):
        return "这是 Excel 或其他压缩格式的文件，不是报告；tianbao 生成的工作簿请用 tianbao check 检查"
    if data[:8].startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "这是图片，没有可读取的文字"
    return f"不支持的文件类型（{suffix or '无扩展名'}），可导入 .html、.htm、.docx、.pdf、.txt、.md"


class _Unreadable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def detect_format(doc: Document) -> str | None:
    """The format whose 表二 labels the document prints (the other tables' labels if it has no 表二)."""
    specs = {fmt: load_spec(fmt) for fmt in FORMATS}
    texts: set[str] = set()
    for row in doc.rows:
        for cell in row.cells:
            texts.update((norm(cell), core(cell)))
    for tables in ("t2", None):
        own: dict[str, set[str]] = {}
        for fmt, spec in specs.items():
            own[fmt] = {
                text
                for (text_set) in (label_index(spec).by_norm, label_index(spec).by_core)
                for text, targets in text_set.items()
                if any(t.role in (COL, ROW) and (tables is None or t.table == tables) for t in targets)
            }
        hits = {
            fmt: len(texts & (labels - set().union(*(own[o] for o in own if o != fmt))))
            for fmt, labels in own.items()
        }
        best = max(hits.values())
        winners = [f for f, h in hits.items() if h == best]
        if best and len(winners) == 1:
            return winners[0]
    return None


def read_report(
    path: str | os.PathLike[str],
    *,
    year: int | None = None,
    unit_name: str | None = None,
    fmt: str = AUTO,
    limits: Limits = Limits(),  # noqa: B008 - frozen
) -> ReportReading:
    out = ReportReading(path=str(path))
    try:
        _read(out, Path(path), year, unit_name, fmt, limits)
    except _Unreadable as exc:
        out.issues.append(make("report-unreadable", reason=exc.reason))
        out.spec = None
    except Exception:  # a report, never a traceback
        out.issues.append(make("report-unreadable", reason="文件内容无法解析（可能已损坏）"))
        out.spec = None
    return out


def _read(
    out: ReportReading, path: Path, year: int | None, unit_name: str | None, fmt: str, limits: Limits
) -> None:
    from tianbao.importing.pdf import NoTextLayer

    try:
        size = path.stat().st_size
        if size > limits.max_file_size:
            raise _Unreadable(f"文件大小超过上限 {limits.max_file_size // (1024 * 1024)} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise _Unreadable(os_reason(exc)) from None
    out.size, out.sha256 = len(data), hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise _Unreadable("文件是空的")
    try:
        out.kind, doc = extract(data, path.suffix)
    except NoTextLayer:
        raise _Unreadable(
            "PDF 中没有文字（可能是扫描件或图片），无法读取；请找到报告的网页版或文字版"
        ) from None
    out.identity = identify(doc.lines)
    out.year = year or out.identity.year
    out.unit_name = unit_name or out.identity.unit_name
    if out.year is None:
        out.issues.append(make("import-year-unknown"))
        return
    if not out.unit_name:
        out.issues.append(make("import-unit-unknown"))
    detected = detect_format(doc)
    chosen = fmt if fmt != AUTO else (detected or ("2021" if out.year >= 2021 else "2019"))
    spec = load_spec(chosen)
    if fmt == AUTO and chosen == "2019" and out.year >= 2021:
        out.issues.append(make("format-outdated", year=out.year))
    out.spec = spec
    _cells(out, spec, doc)


def _cells(out: ReportReading, spec: Spec, doc: Document) -> None:
    index = label_index(spec)
    tables = assemble(index, records(index, doc.rows))
    boxes = cell_boxes(spec)
    for table in spec.tables:
        reading = read_table(spec, index, table.id, tables[table.id])
        if reading.missing:
            out.missing.append(table.id)
            out.issues.append(make("import-table-missing", sheet=table.sheet, title=table.title))
        for cell_id, text in reading.values.items():
            target = out.published if spec.cells[cell_id].computed else out.values
            target[cell_id] = text
        for cell_id, reason in reading.unreadable.items():
            out.unreadable[cell_id] = reason
            sheet, box = boxes[cell_id]
            label = spec.cells[cell_id].full_label
            out.issues.append(
                make(
                    "import-unreadable",
                    cell_id=cell_id,
                    sheet=sheet,
                    cell=a1(box.row, box.col),
                    label=label,
                    reason=reason,
                )
            )


__all__ = ["AUTO", "KINDS", "SUFFIXES", "ReportReading", "detect_format", "extract", "read_report"]
