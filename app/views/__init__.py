"""Main window, pages, item models and charts (Qt)."""
