"""Where the hub keeps policy versions, items, releases and quarantined input."""
