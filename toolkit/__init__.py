"""nianbao: the government information disclosure annual report, from Excel sheet to published report.

The packages, in the one direction imports run (a package imports only those before it; packages on
the same line do not import each other):

1. ``toolkit.core``: the layout spec and the ground (cells, model, errors, limits, names, atomic);
2. ``toolkit.workbook`` · ``toolkit.importer``: the readers (the template workbook; published reports);
3. ``validators``: the rule catalogue, the engine and how findings are shown;
4. ``toolkit.report`` · ``toolkit.district`` · ``toolkit.clerk`` · ``toolkit.check_report``: what each user gets;
5. ``cli`` and ``workbook_templates``: the entry points.

``tests/test_architecture.py`` holds the project to this order.
"""

__version__ = "0.1.0"
