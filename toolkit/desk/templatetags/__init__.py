"""Template filters of the desk's pages."""
