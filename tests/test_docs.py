"""The documentation is kept honest (like sqlite-utils' test_docs): every command has Chinese help with an
example and a README section, the README's table of codes is `tianbao codes --markdown`, and the quick start
is exactly `make demo` and `make test`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from tianbao.cli.codes_cmd import codes_markdown
from tianbao.cli.main import app
from tianbao.issues import CATALOGUE

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
HAN = re.compile(r"[\u4e00-\u9fff]")
COMMANDS = {
    (info.name or info.callback.__name__.replace("_", "-")): info
    for info in app.registered_commands
    if info.callback is not None
}


def test_commands_found() -> None:
    assert {"template", "fill", "check", "codes"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_docstring_is_chinese_with_example(name: str) -> None:
    doc = COMMANDS[name].help or COMMANDS[name].callback.__doc__ or ""
    first = doc.strip().splitlines()[0] if doc.strip() else ""
    assert HAN.search(first), f"tianbao {name}: the help text should start with a Chinese summary"
    examples = [line.strip() for line in doc.splitlines() if line.strip().startswith("例：")]
    assert examples, f"tianbao {name}: the docstring needs an example line starting with “例：”"
    assert all(e.removeprefix("例：").strip().startswith(f"tianbao {name}") for e in examples), examples


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_help_shows_example(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "例：" in result.output


def test_every_option_has_help() -> None:
    group = get_command(app)
    missing = [
        f"tianbao {name} {param.opts[0]}"
        for name, command in group.commands.items()  # type: ignore[attr-defined]
        for param in command.params
        if param.param_type_name == "option" and not getattr(param, "help", None)
    ]
    assert not missing, missing


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_documented_in_readme(name: str) -> None:
    assert re.search(rf"^### tianbao {re.escape(name)}\b", README, re.M), (
        f"README.md needs a section “### tianbao {name}”"
    )


def test_readme_sections_are_commands() -> None:
    documented = set(re.findall(r"^### tianbao ([a-z-]+)", README, re.M))
    assert documented <= set(COMMANDS), documented - set(COMMANDS)


def readme_codes_table() -> str:
    match = re.search(r"<!-- codes:begin[^\n]*-->\n(.*?)<!-- codes:end -->", README, re.S)
    assert match, "README.md lacks the <!-- codes:begin … --> … <!-- codes:end --> block"
    return match.group(1).strip()


def test_readme_codes_table_is_current() -> None:
    assert readme_codes_table() == codes_markdown().strip(), (
        "the README's table of codes is stale: replace it with the output of `tianbao codes --markdown`"
    )


def test_every_code_in_readme() -> None:
    missing = [code for code in CATALOGUE if f"`{code}`" not in README]
    assert not missing, missing


def test_quick_start_is_two_commands() -> None:
    section = re.search(r"^## 快速开始\n(.*?)(?=^## )", README, re.S | re.M)
    assert section, "README.md lacks the section “## 快速开始”"
    block = re.search(r"```[^\n]*\n(.*?)```", section.group(1), re.S)
    assert block, "the quick start needs a code block"
    assert [line.strip() for line in block.group(1).splitlines() if line.strip()] == [
        "make demo",
        "make test",
    ]


# --- the repository stands alone: every file a document names is in it ---------------------------------------
_LINK = re.compile(r"\]\(([^)\s]+)\)")  # [text](target)
# A path in backticks: no spaces, a folder of Latin letters first, a file with an extension last.
_PATH = re.compile(r"`((?:\.?[A-Za-z_][\w.-]*/)+[\w.-]+\.[A-Za-z]{1,5})`")


def _documents() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), REPO / "samples" / "README.md"]


def _named_files(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    links = {
        t.split("#")[0] for t in _LINK.findall(text) if not re.match(r"[a-z]+:", t) and not t.startswith("#")
    }
    return {t for t in links | set(_PATH.findall(text)) if t}


def _exists(doc: Path, target: str) -> bool:
    return (doc.parent / target).exists() or (REPO / target).exists()


@pytest.mark.parametrize("doc", _documents(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_file_a_document_names_exists(doc: Path) -> None:
    missing = sorted(t for t in _named_files(doc) if not _exists(doc, t))
    assert not missing, f"{doc.relative_to(REPO)} names files that are not in the repository: {missing}"


def test_the_link_check_sees_what_it_must() -> None:
    """The check finds links and backticked paths, and would refuse a file outside the repository."""
    readme = _named_files(REPO / "README.md")
    assert {"docs/format.md", "src/tianbao/spec/formats/gov-info-2021.yaml"} <= readme
    fake = REPO / "docs" / "format.md"
    assert not _exists(fake, "shared/format/FORMAT.md") and _exists(fake, "format.md")
    assert _PATH.findall("见 `shared/seeds/nuomin-2022-annual-report.txt`：") == [
        "shared/seeds/nuomin-2022-annual-report.txt"
    ]


def test_the_format_description_covers_every_cell_id() -> None:
    """docs/format.md names every cell id of both formats, or its row and column ids in a table of them,
    and every rule."""
    from tianbao.spec import load_spec

    text = (REPO / "docs" / "format.md").read_text(encoding="utf-8")
    for fmt in ("2021", "2019"):
        spec = load_spec(fmt)
        for cell in spec.cells.values():
            parts = cell.id.split(".")[1:]  # the row and column ids (表四: the group and the column)
            named = f"`{cell.id}`" in text or all(f"`{part}`" in text for part in parts)
            assert named, (fmt, cell.id)
        for rule in spec.doc.rules:
            assert f"| {rule.id} |" in text, rule.id
    for label in ("H5", "S3", "S4", "国办公开办函〔2021〕30号", "国办公开办函〔2019〕60号", "空白不等于 0"):
        assert label in text
