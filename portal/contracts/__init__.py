"""Contracts: which products of which region an aanbieder is registered (gecontracteerd) for."""
