"""Models kept per workspace and trained in the background, never in a request.

The section suggester (digest.sections) and the relevance ranker (digest.relevance) both keep
one model per workspace under a version of the data it learned from (a hash), train a new one
through an Offload (a thread or process pool) when that data changes, and answer from the
newest model ready meanwhile. Trainings asked for while one runs are coalesced: the newest data
is trained next, the ones in between never.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Generic, TypeVar

from digest.offload import Offload

log = logging.getLogger(__name__)

D = TypeVar("D")
M = TypeVar("M")


class BackgroundModels(Generic[D, M]):
    """Per-workspace models `train(data)`, trained through `run`; `what` names them in logs."""

    def __init__(self, train: Callable[[D], M], run: Offload, what: str) -> None:
        self._train_one = train
        self._run = run
        self._what = what
        self._ready: dict[int, tuple[str, M]] = {}
        self._training: dict[int, asyncio.Task[None]] = {}
        self._next: dict[int, tuple[str, D]] = {}
        # Dropped while a training ran: that training's model is not kept.
        self._dropped: set[int] = set()
        self.trainings = 0

    def refresh(self, workspace_id: int, version: str, data: D) -> None:
        """Start training a model for this data (`version` names it), unless it is ready or
        being trained; while another training runs, it is trained next."""
        ready = self._ready.get(workspace_id)
        if ready is not None and ready[0] == version:
            return
        if workspace_id in self._training:
            self._next[workspace_id] = (version, data)
            return
        task = asyncio.create_task(self._train(workspace_id, version, data))
        self._training[workspace_id] = task

    def drop(self, workspace_id: int) -> None:
        """Forget the workspace's model and any training waiting for it; one under way is not
        kept (its data was dropped while it ran)."""
        self._ready.pop(workspace_id, None)
        self._next.pop(workspace_id, None)
        if workspace_id in self._training:
            self._dropped.add(workspace_id)

    def ready(self, workspace_id: int) -> tuple[str, M] | None:
        """The workspace's newest model ready, with the version of its data."""
        return self._ready.get(workspace_id)

    async def _train(self, workspace_id: int, version: str, data: D) -> None:
        try:
            while True:
                model = await self._run(self._train_one, data)
                self.trainings += 1
                dropped = workspace_id in self._dropped
                self._dropped.discard(workspace_id)
                wanted = self._next.pop(workspace_id, None)
                if not dropped or (wanted is not None and wanted[0] == version):
                    self._ready[workspace_id] = (version, model)
                if wanted is None or wanted[0] == version:
                    return
                version, data = wanted
        except Exception:
            # Models are a convenience: what stands in for them serves until a retraining.
            log.exception("training the %s of workspace %d failed", self._what, workspace_id)
        finally:
            self._training.pop(workspace_id, None)
            self._dropped.discard(workspace_id)

    async def settle(self) -> None:
        """Wait until no training runs (at shutdown, and in tests)."""
        while self._training:
            await asyncio.gather(*self._training.values())
