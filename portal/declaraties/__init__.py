"""Declarations checked against the toewijzingen the portal holds and the region's rules.

Importing this package imports nothing else: region plugins use :mod:`portal.declaraties.line_rules`
without the web stack. See regions/DECLARATION_RULES.md for every rule and whether it is implemented.
"""
