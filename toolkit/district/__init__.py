"""A district's or city's consolidation: collect the units' files, validate, sum, write and say it.

``consolidate`` (inputs, units, duplicates, the sum), ``roster`` (the units expected), ``outcome`` (what
a run produced), ``reminders`` (the 催报 list), ``text`` (what a run says: terminal text, JSON),
``workbook`` (the summary workbook and its printed sheets), ``run`` (``nianbao consolidate``).

May import: ``toolkit.core``, ``toolkit.workbook``, ``toolkit.importer``, ``validators``.
Not its siblings ``report``, ``clerk``, ``check_report``.
"""
