"""The fast reader (zipfile + expat) against the reference (openpyxl): the same `RawWorkbook` and the same
`Submission` (values, issues, stamp …) on every fixture, every sample, the generated templates, files
re-saved by LibreOffice and on fuzzed damage (byte flips, members deleted, XML edited) — and the fast path
is really the one taken wherever openpyxl can read the file. XML with a DTD never reaches an expat that
would expand it."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import make_fixtures as fx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lo
import lookalikes as lk
from tianbao import caches
from tianbao.options import CheckOptions
from tianbao.reading import Submission, read_submission
from tianbao.reading.backend import RawWorkbook, Wanted
from tianbao.reading.fast_backend import FastBackend, Unusual, _parser
from tianbao.reading.openpyxl_backend import OpenpyxlBackend
from tianbao.roster import load_roster
from tianbao.spec import load_spec

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
SAMPLES = REPO / "samples"


@dataclass
class Read:
    sub: Submission
    raw: RawWorkbook | None  # None: the backend raised (the submission says why)


class Spy:
    """A backend that remembers what it returned (and reads from the caller's bytes when the backend can,
    as `read_submission` has it do)."""

    def __init__(self, backend: Any) -> None:
        self.backend, self.name, self.raw = backend, backend.name, None
        if hasattr(backend, "read_bytes"):
            self.read_bytes = self._read_bytes

    def read(self, path: Any, wanted: Wanted, *, max_cells: int | None = None) -> RawWorkbook:
        self.raw = None
        self.raw = self.backend.read(path, wanted, max_cells=max_cells)
        return self.raw

    def _read_bytes(self, path: Any, data: bytes, wanted: Wanted, **kwargs: Any) -> RawWorkbook:
        self.raw = None
        self.raw = self.backend.read_bytes(path, data, wanted, **kwargs)
        return self.raw


def both(path: Path, **kwargs: Any) -> tuple[Read, Read, FastBackend]:
    fast = FastBackend()
    got = []
    for backend in (OpenpyxlBackend(), fast):
        spy = Spy(backend)
        sub = read_submission(path, backend=spy, **kwargs)
        got.append(Read(sub, spy.raw))
    return got[0], got[1], fast


def assert_same(path: Path, *, fast_path: bool = True, **kwargs: Any) -> Read:
    """Both backends give the same submission and raw workbook; the fast path is taken when openpyxl can
    read the file (`fast_path`)."""
    ref, fast, backend = both(path, **kwargs)
    assert fast.sub == ref.sub, _diff(ref.sub, fast.sub)
    assert fast.raw == ref.raw
    if fast_path and ref.raw is not None:
        assert backend.fallbacks == 0, f"{path.name}: handed to openpyxl"
    return ref


def _diff(a: Submission, b: Submission) -> str:
    return "; ".join(f"{k}: {v!r} ≠ {getattr(b, k)!r}" for k, v in vars(a).items() if getattr(b, k) != v)


# --- every fixture and sample --------------------------------------------------------------------------------

FIXTURES = sorted(DATA.glob("*.xlsx"))
SAMPLE_FILES = sorted(p for p in (SAMPLES / "submissions").rglob("*") if p.is_file())


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixtures(path: Path) -> None:
    assert_same(path, expected_year=fx.YEAR, roster=fx.ROSTER, expected_spec=load_spec("2021"))


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_samples(path: Path) -> None:
    assert_same(path, expected_year=2022, roster=load_roster(SAMPLES / "roster.csv"))


def test_generated_templates(templates: dict[str, Any]) -> None:
    for made in templates.values():
        assert_same(made.path)
        assert_same(made.path, expected_spec=load_spec("2021"), expected_year=2025)


TYPED = {
    "t3.new.np": "１２",
    "t3.new.ce": "3件",
    "t3.new.ri": "—",
    "t3.new.spo": " 4 ",
    "t3.new.lso": "1,234",
    "t3.new.oth": None,
    "t2.fees.amount_wan": 0.03805,
    "t2.rules.issued": -1,
    "t2.rules.valid": 2.5,
    "t2.licensing.decisions": "不详",
    "t4.review.maintain": "=1+1",
    "meta.filled_on": "2026年1月15日",
}


def test_values_as_people_type_them(tmp_path: Path) -> None:
    assert_same(fx.filled(tmp_path / "typed.xlsx", TYPED), expected_year=fx.YEAR, roster=fx.ROSTER)


def test_formula_overwritten_and_2019(tmp_path: Path) -> None:
    over = fx.filled(tmp_path / "over.xlsx", {"t3.new.tot": 7}, overwrite_formulas=True)
    assert_same(over, expected_year=fx.YEAR)
    old = fx.filled(tmp_path / "old.xlsx", fmt="2019", year=2020)
    assert_same(old)
    assert_same(old, expected_spec=load_spec("2021"))


def test_consolidated_workbook_and_feedback_copies(tmp_path: Path) -> None:
    from tianbao.consolidation import merge_files, write_consolidated
    from tianbao.validation import check_files
    from tianbao.validation.feedback import FeedbackOptions, write_feedback_copies

    roster = load_roster(SAMPLES / "roster.csv")
    merged = merge_files(
        [SAMPLES / "submissions"], CheckOptions(year=2022, roster=roster, jobs=1), unit_name="鄂伦春自治旗"
    )
    write_consolidated(merged, tmp_path / "汇总.xlsx")
    assert_same(tmp_path / "汇总.xlsx", expected_year=2022)
    run = check_files(
        [SAMPLES / "submissions" / "宜里镇 2022年报表.xlsx"], CheckOptions(year=2022, roster=roster, jobs=1)
    )
    subs = [run.report.files[0].submission]
    (copy,) = write_feedback_copies(
        run.spec, subs, FeedbackOptions(tmp_path / "fb"), year=2022, roster=roster
    )
    assert_same(copy.path, expected_year=2022)


# --- what other applications write ----------------------------------------------------------------------


def _rewrite(path: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    return fx.rewrite(path, member, change)


@pytest.fixture
def valid(tmp_path: Path) -> Path:
    return fx.filled(tmp_path / "valid.xlsx")


def test_shared_formulas_as_excel_writes_them(valid: Path) -> None:
    """J6:J8 of 表三 as one shared formula (Excel writes the master once, the others by reference)."""

    def share(xml: bytes) -> bytes:
        xml = xml.replace(b"<f>SUM(D6:I6)</f>", b'<f t="shared" ref="J6:J8" si="0">SUM(D6:I6)</f>', 1)
        for row in (7, 8):
            xml, n = re.subn(rb"<f>SUM\(D%d:I%d\)</f>" % (row, row), b'<f t="shared" si="0"/>', xml)
            assert n == 1
        return xml

    _rewrite(valid, fx.sheet_part("表三"), share)
    ref = assert_same(valid, expected_year=fx.YEAR)
    assert ref.raw is not None and ref.raw.cell("表三", 7, 9).formula == "=SUM(D8:I8)"


def test_cells_of_every_type(valid: Path) -> None:
    """Booleans, errors, formula strings, dates as numbers with a date style, cells and rows without
    references, a rich inline string (openpyxl reads that one)."""

    def change(xml: bytes) -> bytes:
        xml = re.sub(rb'<c r="D6" s="(\d+)" t="n"><v>3</v></c>', rb'<c r="D6" s="\1" t="b"><v>1</v></c>', xml)
        xml = re.sub(
            rb'<c r="E6" s="(\d+)" t="n"><v>0</v></c>', rb'<c r="E6" s="\1" t="e"><v>#REF!</v></c>', xml
        )
        xml = re.sub(rb'<c r="F6" s="(\d+)" t="n"><v>0</v></c>', rb'<c s="\1" t="str"><v>0</v></c>', xml)
        return xml.replace(b'<row r="7"', b"<row", 1)

    _rewrite(valid, fx.sheet_part("表三"), change)
    assert_same(valid, expected_year=fx.YEAR)

    def rich(xml: bytes) -> bytes:
        return re.sub(rb"<is><t>([^<]*)</t></is>", rb"<is><r><t>\1</t></r></is>", xml, count=1)

    _rewrite(valid, fx.sheet_part("封面"), rich)
    assert_same(valid, expected_year=fx.YEAR, fast_path=False)


def test_dates_are_numbers_with_a_date_style(tmp_path: Path) -> None:
    dated = fx.filled(
        tmp_path / "dated.xlsx", {"meta.filled_on": dt.date(2026, 1, 15), "t3.new.np": dt.time(3)}
    )
    ref = assert_same(dated, expected_year=fx.YEAR)
    assert ref.raw is not None and ref.raw.cell("封面", 8, 1).value == dt.datetime(2026, 1, 15)


@pytest.mark.libreoffice
def test_files_resaved_by_libreoffice(tmp_path: Path) -> None:
    """LibreOffice: shared strings with rich runs, hidden _meta, defined names without “=”, print titles,
    cached values — read natively, the same as openpyxl reads them."""
    sources = [
        fx.filled(tmp_path / "valid.xlsx"),
        fx.filled(tmp_path / "typed.xlsx", TYPED),
        fx.filled(tmp_path / "dated.xlsx", {"meta.filled_on": dt.date(2026, 1, 15)}),
        *(shutil.copyfile(p, tmp_path / f"sample{i}.xlsx") for i, p in enumerate(SAMPLE_FILES[:4])),
    ]
    sources = [Path(p) for p in sources if Path(p).suffix == ".xlsx"]
    for path in lo.recalc_and_save(sources, tmp_path / "lo"):
        assert_same(path, expected_year=fx.YEAR, roster=fx.ROSTER)


# --- XML safety -------------------------------------------------------------------------------------------

BOMB = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
EXTERNAL = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


def test_expat_refuses_any_dtd() -> None:
    for doc in (BOMB + b"<x>&b;</x>", EXTERNAL + b"<x>&e;</x>", b"<!DOCTYPE x><x/>"):
        with pytest.raises(Unusual):
            _parser().Parse(doc, True)


@pytest.mark.parametrize("prefix", [BOMB, EXTERNAL], ids=["entity-bomb", "external-entity"])
@pytest.mark.parametrize("member", ["xl/workbook.xml", fx.sheet_part("表三"), "docProps/custom.xml"])
def test_entities_in_any_part_are_refused(valid: Path, prefix: bytes, member: str) -> None:
    def change(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
        return prefix + body.replace(b">", b">&e;" if b"SYSTEM" in prefix else b">&b;", 1)

    _rewrite(valid, member, change)
    ref = assert_same(valid, expected_year=fx.YEAR)
    assert [i.code for i in ref.sub.issues] == ["unsafe-workbook"]


# --- fuzzed damage --------------------------------------------------------------------------------------

PARTS = [fx.sheet_part("封面"), fx.sheet_part("表二"), fx.sheet_part("表三")]
PARTS += [fx.sheet_part("校验"), "xl/workbook.xml", "docProps/custom.xml", "xl/_rels/workbook.xml.rels"]
PARTS += ["[Content_Types].xml", "xl/styles.xml"]

# (pattern, replacements): edits an application or a person could make, and some no one would.
EDITS: list[tuple[str, list[str]]] = [
    (r"<v>3</v>", ["<v>x</v>", "<v>-1</v>", "<v>1e400</v>", "<v> 7 </v>", "<v></v>", "<v>2.50</v>"]),
    (r' t="n"', [' t="b"', ' t="s"', ' t="e"', ' t="str"', ' t="d"', ' t="inlineStr"', ' t="zz"', ""]),
    (r' s="\d+"', [' s="abc"', ' s="999"', ' s=""', ' s="0"']),
    (
        r"<sheetProtection[^>]*/>",
        [
            "",
            '<sheetProtection sheet="0"/>',
            '<sheetProtection sheet="maybe"/>',
            '<sheetProtection sheet="1" foo="1"/>',
            '<sheetProtection spinCount="x"/>',
        ],
    ),
    (
        r'<dimension ref="[^"]*"',
        ['<dimension ref="A1"', '<dimension ref="ZZZZ"', '<dimension ref="A1:XFD1048576"'],
    ),
    (r'state="veryHidden"', ['state="hidden"', 'state="visible"', 'state="bogus"', ""]),
    (r'<sheet name="表三"', ['<sheet name="表3"', '<sheet name="表二"']),
    (
        r"<definedName [^>]*>[^<]*</definedName>",
        [
            "",
            '<definedName name="x" localSheetId="0">A1</definedName>',
            "<definedName name=\"t3_new_np\">'表三'!$D$7</definedName>",
            '<definedName name="y" localSheetId="q">A1</definedName>',
            '<definedName bogus="1" name="z">A1</definedName>',
        ],
    ),
    (
        r"<vt:lpwstr>2025</vt:lpwstr>",
        [
            "<vt:i4>2025</vt:i4>",
            "<vt:r8>2025.0</vt:r8>",
            "<vt:lpwstr></vt:lpwstr>",
            "<vt:bool>true</vt:bool>",
            "<vt:i4>x</vt:i4>",
        ],
    ),
    (
        r"<f>SUM\(D6:I6\)</f>",
        [
            '<f t="shared" si="0" ref="J6:J7">SUM(D6:I6)</f>',
            '<f t="array" ref="J6">SUM(D6:I6)</f>',
            "<f></f>",
            "<f>SUM(</f>",
        ],
    ),
    (r'<row r="6"', ["<row", '<row r="6.0"', '<row r="6.5"', '<row r="x"']),
    (r'<c r="D6"', ["<c", '<c r="d6"', '<c r="D"', '<c r="6"']),
    (r"<sheetData>", ["<sheetData><!-- note -->", "<?pi x?><sheetData>", "<sheetData ><row/>"]),
    (r"<worksheet ", ['<worksheet xmlns:x="urn:x" x:a="1" ']),
    (
        rf'Target="[^"]*{lk.SHEET3.rsplit("/", 1)[1]}"',
        ['Target="worksheets/sheet9.xml"', f'Target="/{lk.SHEET3}"'],
    ),
    (r"<is><t>", ['<is><t xml:space="preserve">', "<is><r><t>", '<is a="1"><t>']),
]


# Bytes that parts declared otherwise, prefixes and texts may hold: what a reader recognising copies of a
# template by their bytes must still read as expat and openpyxl do (tests/lookalikes.py has one case of each).
ENCODINGS = [b"UTF8", b"utf8", b"utf-8", b"us-ascii", b"ISO-8859-1", b"UTF-16", b"GBK", b"UTF-8 "]
PREFIXES = ["日期".encode(), b"d-t.1", b"q", b"x_", "é".encode()]
TEXTS = [
    b"\x01",
    b"\x0b",
    b"\r",
    b"\r\n",
    b"]]>",
    b"\xed\xa0\x80",
    b"\xef\xbf\xbe",
    b"\xc0\xaf",
    b"\xff",
    b"&#1;",
]
TEXTS += [
    b"&#xFFFE;",
    b"&#13;",
    b"&amp;",
    b"&",
    b"\xf0\x9f\x98\x80",
    b"\xe3\x80\x80",
    b"\xef\xbb\xbf",
    b"\xc2\x85",
]
ZIP_CHANGES = [lk.utf8_name_in_directory_only, lk.rename_member, lk.past_the_end, lk.invalid_utf8_local_name]
NEAR = ["declare", "prefix", "text", "zip"]  # changes that leave most of the bytes as a valid file's
PROPERTY_PARTS = ["docProps/core.xml", "docProps/custom.xml", "xl/workbook.xml", lk.SHEET3]


@st.composite
def damage(draw: st.DrawFn) -> tuple[str, Any]:
    kind = draw(st.sampled_from(["flip", "delete", "truncate", "edit", "edit", "edit", "slice"] + NEAR * 2))
    if kind == "flip":
        return kind, draw(st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), min_size=1, max_size=3))
    if kind == "delete":
        return kind, draw(st.sampled_from([*PARTS, "xl/theme/theme1.xml", "docProps/core.xml"]))
    if kind == "truncate":
        return kind, draw(st.floats(0, 1))
    if kind == "slice":
        return kind, (draw(st.sampled_from(PARTS)), draw(st.floats(0, 1)), draw(st.integers(1, 40)))
    if kind == "declare":
        return kind, (draw(st.sampled_from([*PARTS, "docProps/core.xml"])), draw(st.sampled_from(ENCODINGS)))
    if kind == "prefix":
        return kind, (draw(st.sampled_from(PROPERTY_PARTS)), draw(st.sampled_from(PREFIXES)))
    if kind == "text":
        part = draw(st.sampled_from([*PARTS, "docProps/core.xml"]))
        return kind, (part, draw(st.floats(0, 1)), draw(st.sampled_from(TEXTS)))
    if kind == "zip":
        return kind, draw(st.sampled_from(ZIP_CHANGES))
    pattern, replacements = draw(st.sampled_from(EDITS))
    return kind, (draw(st.sampled_from(PARTS)), pattern, draw(st.sampled_from(replacements)))


def _declare(xml: bytes, encoding: bytes) -> bytes:
    body = xml.partition(b"?>")[2] if xml.startswith(b"<?xml") else xml
    return b'<?xml version="1.0" encoding="' + encoding + b'"?>' + body


def _prefix(xml: bytes, prefix: bytes) -> bytes:
    """Every use of the first prefix declared on the root renamed `prefix`; with none, the default
    namespace given `prefix`."""
    found = re.search(rb"xmlns:([\w.\-]+)=", xml)
    if found is not None:
        old = found.group(1)
        xml = re.sub(rb"(?<=[<\s/])" + re.escape(old) + rb"(?=:)", prefix, xml)
        return xml.replace(b"xmlns:" + old + b"=", b"xmlns:" + prefix + b"=")
    xml = xml.replace(b'xmlns="', b"xmlns:" + prefix + b'="', 1)
    return re.sub(rb"<(/?)([A-Za-z_][\w\-]*)(?=[\s/>])", rb"<\1" + prefix + rb":\2", xml)


def _text(xml: bytes, where: float, text: bytes) -> bytes:
    """`text` inserted at the start of a text between tags (the one at `where` in the part)."""
    found = list(re.finditer(rb">([^<]+)<", xml))
    if not found:
        return xml
    at = found[min(int(where * len(found)), len(found) - 1)].start(1)
    return xml[:at] + text + xml[at:]


def spoil(path: Path, how: tuple[str, Any]) -> None:
    kind, arg = how
    data = bytearray(path.read_bytes())
    if kind == "flip":
        for at, mask in arg:
            data[min(int(at * len(data)), len(data) - 1)] ^= mask
        path.write_bytes(bytes(data))
    elif kind == "truncate":
        path.write_bytes(bytes(data[: int(arg * len(data))]))
    elif kind == "delete":
        fx.rewrite(path, arg, None)
    elif kind == "slice":
        member, at, size = arg
        _rewrite_if(path, member, lambda xml: xml[: int(at * len(xml))] + xml[int(at * len(xml)) + size :])
    elif kind == "declare":
        _rewrite_if(path, arg[0], lambda xml: _declare(xml, arg[1]))
    elif kind == "prefix":
        _rewrite_if(path, arg[0], lambda xml: _prefix(xml, arg[1]))
    elif kind == "text":
        _rewrite_if(path, arg[0], lambda xml: _text(xml, *arg[1:]))
    elif kind == "zip":
        arg(path)
    else:
        member, pattern, replacement = arg
        old, new = pattern.encode(), replacement.encode().replace(b"\\", b"\\\\")
        _rewrite_if(path, member, lambda xml: re.sub(old, new, xml, count=1))


def _rewrite_if(path: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(path) as zf:
        if member not in zf.namelist():
            return
    fx.rewrite(path, member, change)


@pytest.fixture(scope="module")
def fuzz_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fx.filled(tmp_path_factory.mktemp("fuzz") / "base.xlsx")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(how=damage())
def test_fuzzed_damage_gives_the_same_verdict(
    fuzz_base: Path, tmp_path_factory: pytest.TempPathFactory, how: Any
) -> None:
    """Read after the valid file it was made from (whose bytes it mostly shares) and alone: the reference's
    verdict."""
    path = tmp_path_factory.mktemp("spoilt") / "报表.xlsx"
    shutil.copyfile(fuzz_base, path)
    spoil(path, how)
    kwargs: dict[str, Any] = {"expected_year": fx.YEAR, "roster": fx.ROSTER}
    read_submission(fuzz_base, backend=FastBackend(), **kwargs)
    ref = assert_same(path, fast_path=False, **kwargs)
    caches.clear_all()
    alone = read_submission(path, backend=FastBackend(), **kwargs)
    assert alone == ref.sub, _diff(ref.sub, alone)


# --- the file read once ----------------------------------------------------------------------------------


def test_the_file_is_read_once_and_its_zip_opened_once(valid: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`read_submission` hands the fast backend the bytes it hashed and the zip it inspected: the backend
    neither opens the file nor parses the zip directory again."""
    from tianbao.reading.fast_backend import reader

    calls: list[tuple[bytes, Any]] = []

    class Recorder(FastBackend):
        def read_bytes(self, path: Any, data: bytes, wanted: Wanted, **kwargs: Any) -> RawWorkbook:
            calls.append((data, kwargs.get("archive")))
            return super().read_bytes(path, data, wanted, **kwargs)

    def no_second_read(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the file was read again")

    opened: list[zipfile.ZipFile] = []
    zip_file = zipfile.ZipFile

    def counted(*args: Any, **kwargs: Any) -> zipfile.ZipFile:
        opened.append(zip_file(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(reader._Reader, "read", no_second_read)
    monkeypatch.setattr(zipfile, "ZipFile", counted)
    backend = Recorder()
    sub = read_submission(valid, backend=backend, expected_year=fx.YEAR, roster=fx.ROSTER)
    assert sub.readable and backend.fallbacks == 0
    assert [data for data, _ in calls] == [valid.read_bytes()]
    assert len(opened) == 1 and calls[0][1] is opened[0]


def test_read_bytes_reads_the_bytes_given_not_the_file(tmp_path: Path) -> None:
    one = fx.filled(tmp_path / "one.xlsx", {"t3.new.np": 11})
    two = fx.filled(tmp_path / "two.xlsx", {"t3.new.np": 22})
    wanted = {"表三": {(5, 3)}}
    from_bytes = FastBackend().read_bytes(one, two.read_bytes(), wanted)
    assert from_bytes == FastBackend().read(two, wanted)
    assert from_bytes.cell("表三", 5, 3).value == 22
    with zipfile.ZipFile(two) as archive:
        assert FastBackend().read_bytes(one, two.read_bytes(), wanted, archive=archive) == from_bytes


def test_a_backend_without_read_bytes_reads_the_file(valid: Path) -> None:
    ref = read_submission(valid, backend=OpenpyxlBackend(), expected_year=fx.YEAR, roster=fx.ROSTER)
    assert ref == read_submission(valid, expected_year=fx.YEAR, roster=fx.ROSTER)
