"""Toewijzingen (iWmo 301 assignments): what a gemeente ordered from an aanbieder for a client."""
