"""What runs on a clerk's PC: the 审核 button, the drop-in check, marked copies and the install kit.

``button`` (审核 on an xlwings Book), ``annotate`` (a marked copy with 审核结果), ``dropin``
(``python -m toolkit.clerk.dropin FILE`` for WPS and Linux desktops), ``addin`` (``nianbao excel-addin``:
the kit), ``kit/`` (the files the kit ships).

May import: ``toolkit.core``, ``toolkit.workbook``, ``toolkit.importer``, ``validators``.
Not its siblings ``report``, ``district``, ``check_report``.
"""
