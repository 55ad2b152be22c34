"""nianbao: the government information disclosure annual report, from Excel sheet to published report."""

__version__ = "0.1.0"
