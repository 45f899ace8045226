"""Daylight-saving weeks in Berlin and New York, for schedule tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

# (zone, an instant in the week before the change, the UTC times of the two Monday digests)
DST_WEEKS = [
    pytest.param(
        "Europe/Berlin",
        datetime(2026, 3, 22, 12, 0, tzinfo=UTC),
        (datetime(2026, 3, 23, 8, 0, tzinfo=UTC), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),
        id="berlin-spring",
    ),
    pytest.param(
        "Europe/Berlin",
        datetime(2026, 10, 18, 12, 0, tzinfo=UTC),
        (datetime(2026, 10, 19, 7, 0, tzinfo=UTC), datetime(2026, 10, 26, 8, 0, tzinfo=UTC)),
        id="berlin-autumn",
    ),
    pytest.param(
        "America/New_York",
        datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
        (datetime(2026, 3, 2, 14, 0, tzinfo=UTC), datetime(2026, 3, 9, 13, 0, tzinfo=UTC)),
        id="new-york-spring",
    ),
    pytest.param(
        "America/New_York",
        datetime(2026, 10, 25, 12, 0, tzinfo=UTC),
        (datetime(2026, 10, 26, 13, 0, tzinfo=UTC), datetime(2026, 11, 2, 14, 0, tzinfo=UTC)),
        id="new-york-autumn",
    ),
]
