"""Customer tiers (SPEC §8): the funnel's rules, the facts they read, the daily job, the public
pool and its claim. The ``pool_claim`` approval kind (``claim_kind``) is registered at
composition (``tally.registries``), with the other kinds."""
