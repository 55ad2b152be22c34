"""The ground every other part stands on: the one layout spec and what is built straight from it.

``spec`` (tables, rows, columns, keys, identities), ``cells`` (spec keys ⇄ sheet and A1 cell, the only
address arithmetic), ``model`` (``AnnualReport``: every cell as int / Decimal / None), ``errors`` (the
Chinese errors every command shows), ``limits`` (bounded reads of any input), ``names`` (unit names
compared and shown safely), ``atomic`` (outputs written whole or not at all).

May import: the standard library, third-party packages and ``toolkit.core`` itself; nothing above it.
"""
