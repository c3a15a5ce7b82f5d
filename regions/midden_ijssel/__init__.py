"""Midden-IJssel/Oost-Veluwe (seed 000_1629748d9ff25e29.txt): Productenboek Wmo 2026."""
