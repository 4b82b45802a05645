"""Use cases. Each takes a SQLAlchemy session and keyword arguments, flushes but never
commits (the request boundary does), and raises domain exceptions, never HTTP ones."""
