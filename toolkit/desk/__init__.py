"""The collection desk: a Django application where units hand in workbooks and the district sees who has.

``nianbao desk init`` makes a desk in a folder, ``nianbao serve`` serves it with granian. Views stay thin
over the library: validation is ``validators.engine``, the summary is ``toolkit.district.run``.

May import: toolkit.core, toolkit.workbook, validators, toolkit.district, toolkit.clerk, toolkit.report.
"""
