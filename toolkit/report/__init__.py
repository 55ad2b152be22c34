"""The district's published report: a document model built from a summary, and its renderers.

``model`` (the document: headings, paragraphs, tables), ``tables`` (tables 二、三、四 in the official
layout), ``content`` (the six sections and the number paragraphs), ``render_docx`` / ``render_html`` /
``render_markdown`` draw it, ``office`` converts with LibreOffice, ``publish`` is ``nianbao report``.

May import: ``toolkit.core``, ``toolkit.workbook``, ``toolkit.importer``, ``validators``.
Not its siblings ``district``, ``clerk``, ``check_report``.
"""
