"""Text laid out for a terminal of any width, by display width (East Asian wide characters count 2).

Lines break where Chinese text breaks naturally — after a space, after closing punctuation (，。、；：）” …),
before opening punctuation (（“ …), not before a number (it stays with the word before it) — never inside a
word, a number, a cell reference, a path or any text the
caller marks as whole (`keep`), and never right after “→ ”. Only a clause too long for a line of its own is
broken between two Chinese characters (and never before closing punctuation or after opening punctuation).
A path or word longer than a line is left whole: the terminal folds it, but no line break is inserted in it,
so it can still be copied.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Sequence

from rich.cells import cell_len, get_character_cell_size

# Punctuation that ends a clause (break after it, never before it) and that opens one (break before it).
CLOSING = frozenset("，。、；：！？）》」』】〕”’…·,.;:!?)]}%")
OPENING = frozenset("（《「『【〔“‘([{")
# Where a clause too long for a line is broken between characters, after one of these if one is near the
# end of the line: particles and conjunctions that end a word (的、和、与 …), a cheap stand-in for a dictionary.
AFTER = frozenset("的和与及或并了把被将但而且则")
ARROW = "→"
MIN_WIDTH = 20  # narrower than this, lines are laid out as if it were this wide

_NONE, _FALLBACK, _ALLOWED = 0, 1, 2


def terminal_width() -> int:
    """The width to lay out for: $COLUMNS when set, else the terminal's, else 80 (output to a file or pipe)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        width = int(columns)
    else:
        width = shutil.get_terminal_size((80, 24)).columns
    return max(width, MIN_WIDTH)


def width(text: str) -> int:
    """Display width: wide (CJK, full-width) characters count 2."""
    return cell_len(text)


def pad(text: str, columns: int) -> str:
    """`text` padded with spaces to `columns` display columns."""
    return text + " " * max(columns - width(text), 0)


def _wide(ch: str) -> bool:
    return get_character_cell_size(ch) == 2


def _kept(text: str, keep: Iterable[str]) -> list[bool]:
    """For each position 1…len-1: whether it lies strictly inside a kept span."""
    inside = [False] * (len(text) + 1)
    for part in keep:
        if not part:
            continue
        start = text.find(part)
        while start != -1:
            for i in range(start + 1, start + len(part)):
                inside[i] = True
            start = text.find(part, start + len(part))
    return inside


def _breaks(text: str, keep: Iterable[str]) -> list[int]:
    """The kind of break allowed before each position (index 0 and len(text) are ends, always allowed)."""
    kinds = [_NONE] * (len(text) + 1)
    kinds[0] = kinds[len(text)] = _ALLOWED
    inside = _kept(text, keep)
    for i in range(1, len(text)):
        if inside[i]:
            continue
        a, b = text[i - 1], text[i]
        if b == " " or b in CLOSING:
            continue
        if a == " ":
            arrow = text[:i].rstrip(" ").endswith(ARROW)
            # A number stays with the word before it (“之和为 8”, “退回 1”) unless the line needs it.
            number = b.isdigit() or (b in "-+" and text[i + 1 : i + 2].isdigit())
            kinds[i] = _NONE if arrow else _FALLBACK if number else _ALLOWED
        elif a in OPENING:
            continue
        elif (a in CLOSING or b in OPENING) and (_wide(a) or _wide(b)):
            kinds[i] = _ALLOWED
        elif _wide(a) or _wide(b):
            kinds[i] = _FALLBACK
    return kinds


def wrap(text: str, first: int, rest: int | None = None, *, keep: Sequence[str] = ()) -> list[str]:
    """`text` as lines of at most `first` columns (the first line) and `rest` columns (the others; default
    `first`), broken as the module says. Spaces at a break are dropped. Explicit newlines are kept."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        out.extend(_wrap_one(paragraph, first if not out else (rest or first), rest or first, keep))
    return out


def _wrap_one(text: str, first: int, rest: int, keep: Sequence[str]) -> list[str]:
    if width(text) <= first:
        return [text]
    kinds = _breaks(text, keep)
    cum = [0]
    for ch in text:
        cum.append(cum[-1] + get_character_cell_size(ch))
    lines: list[str] = []
    start, n = 0, len(text)
    while start < n:
        avail = max(first if not lines else rest, 1)

        def fits(j: int, start: int = start, avail: int = avail) -> bool:
            end = j
            while end > start and text[end - 1] == " ":
                end -= 1
            return cum[end] - cum[start] <= avail

        allowed = [j for j in range(start + 1, n + 1) if kinds[j] == _ALLOWED]
        fitting = [j for j in allowed if fits(j)]
        best = fitting[-1] if fitting else None
        # A clause that cannot fit on a line of its own is broken between characters: after a particle (的、和 …)
        # where one fits on this line; else, when the line already has text, the clause starts the next line;
        # else where this line is full.
        after = best if best is not None else start
        following = next((j for j in allowed if j > after), n)
        if best is None or (best < n and not fits(following, after, rest)):
            fallback = [j for j in range(after + 1, following) if kinds[j] != _NONE and fits(j)]
            preferred = [j for j in fallback if text[j - 1] in AFTER]
            if preferred:
                best = preferred[-1]
            elif fallback and (best is None or best == start):
                best = fallback[-1]
        if best is None:  # a word or path longer than the line: whole, on a line of its own
            best = allowed[0] if allowed else n
        lines.append(text[start:best].rstrip(" "))
        start = best
        while start < n and text[start] == " ":
            start += 1
    return lines


def hanging(
    prefix: str, text: str, total: int, *, indent: int | None = None, keep: Sequence[str] = ()
) -> list[str]:
    """`prefix` then `text` wrapped to `total` columns, the following lines indented to the text's start
    (or `indent` columns)."""
    lead = width(prefix) if indent is None else indent
    lines = wrap(text, total - width(prefix), total - lead, keep=keep)
    return [prefix + lines[0], *(" " * lead + line for line in lines[1:])]


def joined(parts: Sequence[str], total: int, *, sep: str = "  ", indent: int = 4) -> list[str]:
    """Parts (each kept whole) on as few lines of `total` columns as they fit, `sep` between them, the
    following lines indented by `indent`."""
    lines: list[str] = []
    current = ""
    for part in parts:
        if not current:
            current = part
        elif width(current + sep + part) <= total:
            current += sep + part
        else:
            lines.append(current)
            current = " " * indent + part
    if current or not lines:
        lines.append(current)
    return lines
