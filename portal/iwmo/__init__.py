"""The iWmo 3.2 standard: code lists now; messages, schemas and rules as they land."""
