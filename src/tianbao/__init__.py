"""tianbao (填报): templates, checking and consolidation of the statistical tables of the
政府信息公开工作年度报告 (annual report on government information disclosure)."""

import os

# openpyxl parses with lxml whenever lxml is installed (python-docx, which writes the report, needs it). Its
# lxml parser leaves XML entities unresolved instead of refusing them, so a workbook with a DOCTYPE would be
# read rather than refused as unsafe, and the reference reader would no longer read as the fast reader does.
# tianbao's reference is openpyxl on the standard library's parser guarded by defusedxml: chosen here, before
# tianbao imports openpyxl (a program that imports openpyxl before tianbao must set OPENPYXL_LXML=False
# itself; `tianbao.reading.openpyxl_backend` refuses to read otherwise).
os.environ["OPENPYXL_LXML"] = "False"

__version__ = "0.1.0"
