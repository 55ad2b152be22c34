"""Regenerate the committed template from the layout spec."""

from toolkit.workbook.template import build
from workbook_templates import TEMPLATE_PATH

if __name__ == "__main__":
    print(build(TEMPLATE_PATH))
