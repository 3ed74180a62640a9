"""What every workbook tianbao writes must be, whatever text went into it: each XML part well-formed (expat,
strict) and the whole opened by openpyxl. Shared by the tests of text safety and the hostile and fuzz suites."""

from __future__ import annotations

import xml.parsers.expat
import zipfile
from pathlib import Path

import openpyxl


def assert_well_formed(path: Path) -> None:
    """Every XML part parses (expat, strict), and openpyxl opens the workbook."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                parser = xml.parsers.expat.ParserCreate()
                try:
                    parser.Parse(z.read(name), True)
                except xml.parsers.expat.ExpatError as exc:
                    raise AssertionError(f"{path.name}: {name} is not well-formed XML: {exc}") from None
    openpyxl.load_workbook(path).close()
