"""Shared fixtures: the two specs, templates written once per session, the stamp reader, LibreOffice gating."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tianbao  # noqa: F401  # isort: skip  (first: it has openpyxl use the standard library's XML)
import openpyxl
import pytest
from hypothesis import settings

import lo
from tianbao import caches
from tianbao.roster import Unit
from tianbao.spec import Spec, load_spec
from tianbao.stamp import META_SHEET, Stamp
from tianbao.template import TemplateOptions, template_filename, write_template

# No per-example deadline: the suite runs on shared 2-core machines where an example can take ten times its
# usual time; how fast tianbao is, is measured in benchmarks/, not asserted by tests.
settings.register_profile("tianbao", deadline=None)
settings.load_profile("tianbao")

REPO = Path(__file__).resolve().parents[1]
YEAR = 2025
PASSWORD = "mima2025"
UNIT = Unit("150723107", "诺敏镇人民政府", "乡镇", "150723", 9)
C6 = ("np", "ce", "ri", "spo", "lso", "oth")
# Last year's report of UNIT: what S1 (carry-over) and S2 (stock of documents) compare with.
PREVIOUS_2021: dict[str, float] = {
    **{f"t3.fwd.{c}": v for c, v in zip(C6, (4, 2, 0, 1, 0, 3), strict=True)},
    "t3.fwd.tot": 10,
    "t2.rules.valid": 0,
    "t2.normative.valid": 37,
}


def pytest_runtest_setup(item: pytest.Item) -> None:
    """`libreoffice` tests skip without soffice, except on CI, which installs it: there they must fail."""
    if item.get_closest_marker("libreoffice") and lo.soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not installed, but CI must run the libreoffice tests")
        pytest.skip("LibreOffice (soffice) is not installed")


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Each test starts with the content caches empty (`tianbao.caches`): what a test sees never depends on
    the tests that ran before it in the same worker."""
    caches.clear_all()


@dataclass(frozen=True)
class Made:
    """A template written for the tests: the spec, the options it was written with, its path and stamp."""

    key: str
    spec: Spec
    options: TemplateOptions
    path: Path
    stamp: Stamp

    @property
    def with_previous(self) -> bool:
        return bool(self.options.previous)

    @property
    def unit_type(self) -> str | None:
        return self.options.unit.type if self.options.unit else None


TEMPLATE_KINDS: dict[str, tuple[str, TemplateOptions]] = {
    "generic": ("2021", TemplateOptions(year=YEAR)),
    "unit": ("2021", TemplateOptions(year=YEAR, unit=UNIT, previous=PREVIOUS_2021, password=PASSWORD)),
    "generic2019": ("2019", TemplateOptions(year=2020)),
}


@pytest.fixture(scope="session")
def spec2021() -> Spec:
    return load_spec("2021")


@pytest.fixture(scope="session")
def spec2019() -> Spec:
    return load_spec("2019")


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Made]:
    """The three kinds of template, written once per session (read them, never modify them)."""
    folder = tmp_path_factory.mktemp("templates")
    out = {}
    for key, (fmt, options) in TEMPLATE_KINDS.items():
        spec = load_spec(fmt)
        path = folder / f"{key}.xlsx"
        out[key] = Made(key, spec, options, path, write_template(spec, path, options))
    return out


@pytest.fixture
def blank_template(tmp_path: Path, templates: dict[str, Made]) -> Path:
    """A private copy of the generic 2021 blank template, named as `tianbao template` names it."""
    path = tmp_path / template_filename(YEAR)
    shutil.copyfile(templates["generic"].path, path)
    return path


@pytest.fixture
def unit_template(tmp_path: Path, templates: dict[str, Made]) -> Path:
    """A private copy of the per-unit 2021 template (UNIT, PREVIOUS_2021, PASSWORD)."""
    path = tmp_path / template_filename(YEAR, UNIT.code, UNIT.name)
    shutil.copyfile(templates["unit"].path, path)
    return path


def read_stamps(path: Path) -> dict[str, dict[str, str]]:
    """The stamp as found in each of its three places: custom properties, defined names, the _meta sheet.

    Empty values are written as “-” in custom properties (an empty property is read back as missing);
    they are returned as "" so that the three places compare equal.
    """

    wb = openpyxl.load_workbook(path)
    try:
        props = {p.name: p.value for p in wb.custom_doc_props.props if p.name.startswith("tianbao_")}
        props = {k: "" if v == "-" else str(v) for k, v in props.items()}
        names = {}
        for name, dn in wb.defined_names.items():
            if name.startswith("tianbao_"):
                text = dn.attr_text.removeprefix("=")  # a constant: “="2021"” or “"2021"”
                assert len(text) >= 2 and text[0] == text[-1] == '"', (name, text)
                names[name] = text[1:-1].replace('""', '"')
        meta = {}
        for key, value in wb[META_SHEET].iter_rows(min_row=2, max_col=2, values_only=True):
            meta[str(key)] = "" if value is None else str(value)
        return {"properties": props, "names": names, "meta": meta}
    finally:
        wb.close()


@pytest.fixture(scope="session")
def stamps_of() -> Callable[[Path], dict[str, dict[str, str]]]:
    return read_stamps
