"""Reading a JSON setting that overrides demo templates by kind (the WeChat message templates,
the DingTalk card templates): ``{"<kind>": {"<key>": …}, …}``."""

from __future__ import annotations

import json
from collections.abc import Collection


def template_overrides(raw: str, variable: str, kinds: Collection[str], keys: Collection[str],
                       what: str) -> dict[str, dict]:
    """The overrides ``raw`` holds, by kind ({} when empty). Raises ValueError naming
    ``variable`` on malformed JSON, another shape, an unknown kind or key, so a typo stops
    the start."""
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"{variable} is not valid JSON: {exc}") from exc
    if not isinstance(parsed, dict) or not all(isinstance(v, dict) for v in parsed.values()):
        raise ValueError(f"{variable} must be an object of objects by {what}")
    for kind, entry in parsed.items():
        if kind not in kinds:
            raise ValueError(f"{variable}: {kind!r} is not a {what} (known: {', '.join(kinds)})")
        unknown = set(entry) - set(keys)
        if unknown:
            raise ValueError(f"{variable}[{kind}]: unknown keys {sorted(unknown)}")
    return parsed
