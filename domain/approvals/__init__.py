"""Approvals (SPEC 5): flow definitions, the engine, what each flow kind does when approved."""
