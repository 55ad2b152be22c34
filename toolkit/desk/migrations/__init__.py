"""Django migrations of the desk. May import: django only."""
