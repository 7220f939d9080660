"""Liaison: a coalition information-sharing hub.

Each partner receives exactly what its agreements and each item's confidentiality label allow,
with every decision explained.
"""

__version__ = "0.1.0"
