"""A reader backend on zipfile, expat and bytes: the same `RawWorkbook` as openpyxl's, several times faster.

What it reads: `[Content_Types].xml` (where the workbook and shared strings are), `xl/workbook.xml` (sheets,
states, defined names) and its relationships, `docProps/custom.xml`, the shared strings, `_meta`, each
wanted sheet (and, as openpyxl does when it opens a file, every other sheet up to its dimension).

The rule that makes it exact: **it checks at least what openpyxl checks, and whenever it cannot be sure of
giving openpyxl's answer it asks openpyxl.**

- Every zip member openpyxl reads is read here too, in full (a broken CRC is noticed wherever openpyxl would
  notice it). Any exception — a damaged zip, malformed XML, a DOCTYPE, anything called `Unusual` here —
  hands the whole file to the reference backend, so a broken or odd file gets openpyxl's verdict and
  message, never a different one.
- Cells are interpreted natively, mirroring openpyxl's worksheet parser (and tianbao's extension keeping
  cached results) line by line: types, shared and inline strings, numbers, booleans, errors, dates by cell
  style, array and shared formulas, rows and cells without references, each cell filed under its row
  element's number. The rare cases use openpyxl's own functions (`from_excel`, `Translator`, `Text`).
- What is the same in every copy of a template is checked once per process and then recognised by its
  bytes: a sheet's shell (all but `<sheetData>`: checked by expat, with handlers for the dimension and the
  protection), each distinct cell (parsed by ElementTree with openpyxl's calls), content types, styles,
  relationships and the workbook part without its defined names (read by openpyxl's own classes). What
  differs per file is read natively in its plain form: `<sheetData>` cut with `bytes.split`, the defined
  names, the custom properties and shared strings (openpyxl's class for anything else).

XML safety: every expat parser here refuses a DOCTYPE (and so any entity declaration) and never expands an
external entity; openpyxl, which then reads the file, parses through defusedxml. Zip sizes are checked before
a backend is called (`tianbao.reading.container`); members are also bounded here.
"""

from tianbao.reading.fast_backend.base import Unusual, _parser
from tianbao.reading.fast_backend.reader import FastBackend

__all__ = ["FastBackend", "Unusual", "_parser"]
