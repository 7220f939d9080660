"""Database schema migrations, per engine."""
