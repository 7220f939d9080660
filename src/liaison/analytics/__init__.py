"""Historical analytics: the archive of position fixes as Parquet, and the streaming path's own
detectors run over it with Dask.

`export` writes every stored fix (`liaison export`: operators only, the hub's own archive
unfiltered by any partner's releases); `analyse` reads such an export and finds the events the
streaming path would have found on the same input (`liaison analyse`).
"""
