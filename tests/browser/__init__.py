"""Helpers for the browser tests: the served portal (plugin.py) and what a user does on a page
(actions.py)."""
