"""Declarations checked against the toewijzingen the portal holds and the region's rules.

Importing this package imports nothing else: region plugins use :mod:`portal.declaraties.line_rules`
without the web stack. See RULES.md in this folder for every rule and whether it is implemented.
"""
