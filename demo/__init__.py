"""The bundled sample district: ``python -m demo`` (``make demo``) generates it and consolidates it."""
