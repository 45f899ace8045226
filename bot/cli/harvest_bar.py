"""The progress bar `paperbot ingest` shows while it harvests the arXiv API."""

from __future__ import annotations

from collections.abc import Sequence

from rich.progress import Progress

from digest.harvest import HarvestProgress, HarvestWindow
from digest.ingest import IngestReport
from digest.ports import SourcePage


class HarvestBar(HarvestProgress):
    """A rich progress bar over the planned windows, with the current page in its text."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("planning", total=None)

    def planned(self, windows: Sequence[HarvestWindow]) -> None:
        self.progress.update(self.task, total=len(windows), description="harvesting")

    def page(self, window: HarvestWindow, page: SourcePage, stored: IngestReport) -> None:
        done = page.start + len(page.papers)
        self.progress.update(
            self.task,
            description=f"{window.label} {window.listing}: {done}/{page.total} "
            f"({stored.stored.inserted + stored.stored.updated} new)",
        )

    def window_done(self, window: HarvestWindow) -> None:
        self.progress.advance(self.task)
