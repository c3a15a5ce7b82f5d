"""Region plugins: the hook specifications, the data format regions use, and the registry."""
