"""The declarative spec of the national format and its compiled form."""

from tianbao.spec.compiled import Cell, RuleInstance, Spec, cell_name, fmt_number
from tianbao.spec.loader import DEFAULT_FORMAT, FORMATS, YEARS, known_specs, load_spec, parse_spec

__all__ = [
    "DEFAULT_FORMAT",
    "FORMATS",
    "YEARS",
    "Cell",
    "RuleInstance",
    "Spec",
    "cell_name",
    "fmt_number",
    "known_specs",
    "load_spec",
    "parse_spec",
]
