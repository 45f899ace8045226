"""The names of the Markdown list styles (what `digest.list_markdown` reads and writes).

Kept apart from the readers and writers so that the command line can offer them as choices
without importing those.
"""

from __future__ import annotations

STYLES: tuple[str, ...] = ("llmsys", "bracket-venue", "conference-notes", "table")
AUTO = "auto"
