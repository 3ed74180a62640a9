"""Load a spec from the package (by format name) or from a file, validating it with paths in messages."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from tianbao.errors import SpecError
from tianbao.spec.compiled import Spec, compile_spec
from tianbao.spec.model import SpecDocument
from tianbao.spec.text import text_spec

FORMATS = {"2021": "gov-info-2021.yaml", "2019": "gov-info-2019.yaml"}
DEFAULT_FORMAT = "2021"
YEARS = range(2000, 2101)  # the reporting years templates are made and checked for


def error_path(loc: tuple[int | str, ...]) -> str:
    """pydantic's location tuple as a path: ('tables', 1, 'rows', 4, 'id') → tables[1].rows[4].id."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith(("function-", "tagged-union")):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"


def parse_spec(text: str, source: str = "<spec>") -> Spec:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SpecError(f"{source}: the spec must be a mapping")
    try:
        doc = SpecDocument.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise SpecError(f"{source}: {error_path(first['loc'])}: {first['msg']}") from None
    try:
        spec = compile_spec(doc)
        text_spec(spec)  # the text part's ids and expressions, checked now
        return spec
    except SpecError as exc:
        raise SpecError(f"{source}: {exc.message}") from None


def load_spec(fmt: str = DEFAULT_FORMAT) -> Spec:
    """The bundled spec of a format (“2021” or “2019”), or a spec file given by path. A file is read each
    time, with one `Spec` object per distinct text: in a process that outlives an edit of the file, the
    edited spec is the new text's (a spec's plan, schema and layouts are kept per `Spec` object)."""
    if fmt in FORMATS:
        return _bundled(fmt)
    path = Path(fmt)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise SpecError(f"报表格式文件 {path} 不是 UTF-8 编码", "请用 UTF-8 编码保存") from None
        return _parsed(text, str(path))
    raise SpecError(f"未知的报表格式“{fmt}”", "可选 2021（国办公开办函〔2021〕30号）或 2019（试行格式）")


@cache
def _bundled(fmt: str) -> Spec:
    """A bundled spec: its text is the installed package's."""
    text = resources.files("tianbao.spec").joinpath("formats", FORMATS[fmt]).read_text(encoding="utf-8")
    return _parsed(text, FORMATS[fmt])


@cache
def _parsed(text: str, source: str) -> Spec:
    return parse_spec(text, source)


def known_specs() -> dict[tuple[str, str], Spec]:
    """Bundled specs by (id, version)."""
    return {(s.id, s.version): s for s in (load_spec(f) for f in FORMATS)}
