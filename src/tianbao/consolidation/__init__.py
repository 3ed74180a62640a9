"""Stage 3: consolidation — choose what counts, add it up, write the consolidated workbook and the exports."""

from tianbao.consolidation.export import export_tidy
from tianbao.consolidation.merge import consolidate, merge_files, resolve_parent
from tianbao.consolidation.model import (
    Consolidation,
    ExplanationKey,
    FileEntry,
    Member,
    Parent,
    StatusRow,
    explanation_key,
)
from tianbao.consolidation.rollcall import STATUS_KEYS, RollCall, roll_call
from tianbao.consolidation.workbook import write_consolidated

__all__ = [
    "STATUS_KEYS",
    "Consolidation",
    "ExplanationKey",
    "FileEntry",
    "Member",
    "Parent",
    "RollCall",
    "StatusRow",
    "consolidate",
    "explanation_key",
    "export_tidy",
    "merge_files",
    "resolve_parent",
    "roll_call",
    "write_consolidated",
]
