"""The HTTP edge: the only place HTTP status codes live."""
