"""Midden-Limburg West / MER (seed 002_9e08778fcfad97cb.txt): perceel- en productbeschrijvingen."""
