"""The security policy (SPIF), label formats, dominance and the release engine."""
