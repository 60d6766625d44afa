"""Use cases over the models (no Qt): customers, search, validation, labels, events."""
