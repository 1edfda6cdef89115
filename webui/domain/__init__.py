"""Use cases and rules. Sees no request: the acting user is always an argument."""
