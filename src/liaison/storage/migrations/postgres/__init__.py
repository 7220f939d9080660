"""PostgreSQL migrations: NNNN_name.sql, applied in order by liaison.storage.postgres.migrate."""
