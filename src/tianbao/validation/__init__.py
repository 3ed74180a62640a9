"""Stage 2b: validation with pandera schemas generated from the spec, and the report of a run."""

from tianbao.options import CheckOptions
from tianbao.validation.report import STATUS_ZH, FileReport, Report, status_of
from tianbao.validation.run import CheckRun, check_files
from tianbao.validation.validate import Validated, validate

__all__ = [
    "STATUS_ZH",
    "CheckOptions",
    "CheckRun",
    "FileReport",
    "Report",
    "Validated",
    "check_files",
    "status_of",
    "validate",
]
