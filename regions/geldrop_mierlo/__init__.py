"""Geldrop-Mierlo (seed 004_600709b7a0c13ab8.txt): Beleidsregels Jeugdhulp en Wmo 2026."""
