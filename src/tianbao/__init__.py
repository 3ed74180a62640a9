"""tianbao (填报): templates, checking and consolidation of the statistical tables of the
政府信息公开工作年度报告 (annual report on government information disclosure)."""

__version__ = "0.1.0"
