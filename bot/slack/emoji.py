"""Slack names emoji by shortcode (`star`, `+1::skin-tone-3`); the seam speaks Unicode (⭐)."""

from __future__ import annotations

import emoji

# Slack's skin-tone suffixes, as the Unicode modifiers they stand for.
SKIN_TONES = {f"skin-tone-{n}": chr(0x1F3FB + n - 2) for n in range(2, 7)}
_TONE_NAMES = {value: key for key, value in SKIN_TONES.items()}


def to_unicode(name: str) -> str:
    """`star` -> ⭐, `+1::skin-tone-2` -> 👍🏻; a workspace's custom emoji stays `:name:`."""
    base, _, tone = name.strip(":").partition("::")
    found = emoji.emojize(f":{base}:", language="alias")
    if found == f":{base}:":
        return found
    return found + SKIN_TONES.get(tone, "")


def to_name(text: str) -> str:
    """⭐ -> `star`, for reactions.add; `:custom:` -> `custom`."""
    text = text.strip()
    if text.startswith(":") and text.endswith(":") and len(text) > 2:
        return text.strip(":")
    tone = next((t for t in text if t in _TONE_NAMES), None)
    base = "".join(t for t in text if t not in _TONE_NAMES)
    name = emoji.demojize(base, language="alias").strip(":")
    return f"{name}::{_TONE_NAMES[tone]}" if tone else name
