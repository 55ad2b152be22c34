"""The clerk's workbook as a file: the locked template, and reports read from and written into it.

``template`` (the locked template, live 勾稽 checks), ``read`` (fast sheet-XML reader with integrity
facts), ``write`` (a report into a fresh template), ``export`` (the JSON shape), ``sample`` (made-up
reports for demos and tests).

May import: ``toolkit.core``. Not the importer, its sibling reader.
"""
