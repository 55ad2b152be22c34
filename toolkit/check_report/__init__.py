"""``nianbao check-report``: a published report read by the importer, checked, and written out.

``check`` (read, validate, write the JSON or workbook), ``render`` (what the command says).

May import: ``toolkit.core``, ``toolkit.workbook``, ``toolkit.importer``, ``validators``.
Not its siblings ``report``, ``district``, ``clerk``.
"""
