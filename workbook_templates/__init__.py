"""The committed locked template; regenerate with ``python -m workbook_templates``."""

from pathlib import Path

TEMPLATE_PATH = Path(__file__).with_name("nianbao-2021.xlsx")
