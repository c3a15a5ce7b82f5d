"""Logging in and out, passwords, and the one authorisation policy (policy.py)."""
