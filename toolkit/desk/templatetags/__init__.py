"""Template filters of the desk's pages (``{% load desk_audit %}``).

May import: toolkit.desk.
"""
