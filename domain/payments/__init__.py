"""Payments pool, write-off, invoice requests, billing terms and penalty interest (SPEC 6–7)."""
