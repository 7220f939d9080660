-- Where each consumer of the bus (NATS JetStream) has got to: written in the transaction that
-- stores what its messages made, so that a redelivered message is recognised and skipped.
CREATE TABLE bus_offsets (consumer TEXT PRIMARY KEY, seq BIGINT NOT NULL);
