"""Stage 1: locked, stamped Excel templates written with xlsxwriter from the spec."""

from tianbao.template.context import TemplateOptions
from tianbao.template.writer import make_stamp, template_filename, write_template

__all__ = ["TemplateOptions", "make_stamp", "template_filename", "write_template"]
