"""Ondersteuningsplannen and evaluatieverslagen: region templates, versions, review, deadlines."""
