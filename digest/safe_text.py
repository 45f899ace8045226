"""Text as every store can keep it: no NUL, no other control characters, no lone surrogates.

PostgreSQL refuses a NUL byte in any text value, and a lone surrogate (`"\\ud800"` in JSON) cannot
be encoded as UTF-8 for either database; other control characters are invisible junk that breaks
the terminal and chat rendering. Tabs and line breaks stay.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def without_controls(text: str) -> str:
    """`text` without control characters (tab, newline and carriage return kept)."""
    return _CONTROL.sub("", text)


def has_controls(text: str) -> bool:
    """Whether `text` holds a character `without_controls` would drop."""
    return _CONTROL.search(text) is not None
