"""Generic regions: described by data files alone (seeds 001 and 003, and files operators add)."""
