"""The report's text checked against its tables and last year's text (`narrative_issues`)."""

from tianbao.narrative.checks import narrative_issues

__all__ = ["narrative_issues"]
