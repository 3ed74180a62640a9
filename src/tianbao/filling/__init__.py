"""Filling a template programmatically, the way a person types into it (used by samples, tests, benchmarks)."""

from tianbao.filling.fill import fill_template, load_values

__all__ = ["fill_template", "load_values"]
