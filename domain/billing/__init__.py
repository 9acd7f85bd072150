"""Month-end billing (SPEC §6, seed 004): catalogue, pricing, usage, the billing run, prepaid."""
