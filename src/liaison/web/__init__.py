"""The web map: static pages served by `liaison serve` (see liaison.api.web)."""
