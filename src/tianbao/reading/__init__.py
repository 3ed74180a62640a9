"""Stage 2: read returned workbooks into submissions — identity, integrity and values, with issues."""

from tianbao.reading.interpret import read_submission
from tianbao.reading.model import Limits, Submission
from tianbao.reading.previous import Previous, PreviousError, read_previous

__all__ = ["Limits", "Previous", "PreviousError", "Submission", "read_previous", "read_submission"]
