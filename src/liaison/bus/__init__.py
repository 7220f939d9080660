"""The bus (NATS JetStream): ingest processes publish decoded AIS by MMSI partition; one processor per partition detects, labels, stores and releases."""
