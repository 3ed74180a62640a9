"""tianbao (填报): templates, checking and consolidation of the statistical tables of the
政府信息公开工作年度报告 (annual report on government information disclosure)."""

import os

# openpyxl chooses its XML library once, when first imported: lxml when it is installed (python-docx, which
# `tianbao import` reads Word documents with and `tianbao report` writes them with, requires it), else the standard library's. The two write
# different bytes and treat entities differently: lxml's parser leaves them unresolved where the standard
# library's, through defusedxml, refuses the file. tianbao always has openpyxl use the standard library's, so
# that the files it writes through openpyxl are the same bytes and its reference reader refuses the same
# hostile files whatever else is installed. Set here, before any tianbao module imports openpyxl.
os.environ["OPENPYXL_LXML"] = "False"

__version__ = "0.1.0"
