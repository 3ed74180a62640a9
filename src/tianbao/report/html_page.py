"""The report as one self-contained HTML page: no script, no external file, fonts named not loaded.

A clerk opens it in a browser and prints it, or copies its body into the site's CMS: the tables carry their
borders inline (`html_table`), the page's `<style>` sets the 公文 look (title 小标宋, headings 黑体 and 楷体,
body 仿宋, first lines indented two characters) and an A4 print layout (table headers repeated, no heading
left alone at the bottom of a page). Placeholders for texts not written are red and marked `tianbao-missing`.
"""

from __future__ import annotations

from html import escape

from tianbao.report.document import Block, Paragraph, ReportDocument
from tianbao.report.html_table import grid_html

STYLE = """
body { margin: 0; background: #fff; color: #000; }
.tianbao-report { max-width: 156mm; margin: 0 auto; padding: 20mm 0;
  font-family: "FangSong", "仿宋", "仿宋_GB2312", "STFangsong", "FangSong_GB2312", serif;
  font-size: 16pt; line-height: 1.8; }
.tianbao-report h1 { font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "华文中宋", "STZhongsong", "SimSun",
  "宋体", serif; font-size: 22pt; font-weight: normal; text-align: center; line-height: 1.5;
  margin: 0 0 1em; }
.tianbao-report h2 { font-family: "SimHei", "黑体", "STHeiti", "Heiti SC", sans-serif; font-size: 16pt;
  font-weight: normal; text-indent: 2em; margin: 0; }
.tianbao-report h3 { font-family: "KaiTi", "楷体", "楷体_GB2312", "STKaiti", "KaiTi_GB2312", serif;
  font-size: 16pt; font-weight: normal; text-indent: 2em; margin: 0; }
.tianbao-report p { text-indent: 2em; margin: 0; text-align: justify; }
.tianbao-report .tianbao-signature { text-align: right; text-indent: 0; padding-right: 4em; }
.tianbao-report .tianbao-signature:first-of-type { margin-top: 2em; }
.tianbao-report .tianbao-missing { color: #c00000; font-weight: bold; background: #fff2cc; }
.tianbao-report table { font-size: 10.5pt; line-height: 1.35; margin: 0.5em 0 1em; text-indent: 0; }
@page { size: A4 portrait; margin: 37mm 26mm 35mm 28mm; }
@media print {
  .tianbao-report { max-width: none; padding: 0; }
  .tianbao-report h1, .tianbao-report h2, .tianbao-report h3 { page-break-after: avoid; break-after: avoid; }
  .tianbao-report thead { display: table-header-group; }
  .tianbao-report tr { page-break-inside: avoid; break-inside: avoid; }
  .tianbao-report .tianbao-missing { background: none; }
}
""".strip()

_TAGS = {"heading": "h2", "subheading": "h3", "paragraph": "p"}


def runs_html(runs: Paragraph) -> str:
    out = []
    for r in runs:
        text = escape(r.text)
        out.append(f'<span class="tianbao-missing">{text}</span>' if r.missing else text)
    return "".join(out)


def _block(block: Block) -> str:
    if block.kind == "table":
        assert block.grid is not None
        return grid_html(block.grid, block.values)
    tag = _TAGS[block.kind]
    return f"<{tag}>{runs_html(block.runs)}</{tag}>"


def report_html(doc: ReportDocument) -> str:
    """The whole page, as text (UTF-8 when written)."""
    body = [f"<h1>{runs_html(doc.title)}</h1>"]
    body += [_block(b) for b in doc.blocks]
    body += [f'<p class="tianbao-signature">{runs_html(p)}</p>' for p in doc.signature]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="zh-CN">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="tianbao">',
            f"<title>{escape(doc.title_text)}</title>",
            f"<style>\n{STYLE}\n</style>",
            "</head>",
            "<body>",
            '<article class="tianbao-report">',
            *body,
            "</article>",
            "</body>",
            "</html>",
            "",
        ]
    )
