"""The tamper-evident audit log: an append-only Merkle tree in the manner of RFC 9162."""
