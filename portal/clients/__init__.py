"""Clients (cliënten): the citizens support is assigned to, identified by BSN."""
