"""Output: which partner gets which item, and in what form."""
