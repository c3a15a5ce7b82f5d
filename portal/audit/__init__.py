"""The audit log: who changed or viewed what, when, from which address."""
