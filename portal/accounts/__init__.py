"""Organisations (aanbieders and gemeenten) and their users, managed by beheer."""
