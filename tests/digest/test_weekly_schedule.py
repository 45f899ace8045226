"""When a digest is due: the subscription's weekday and local time, across daylight saving."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from digest import weekly
from digest.models import Subscription
from tests.dst_weeks import DST_WEEKS


def _sub(zone: str, weekday: int = 0, at: time = time(9, 0), **kw: object) -> Subscription:
    return Subscription(1, 1, "c-1", 1, weekday=weekday, at=at, timezone=zone, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("zone", "before", "expected"), DST_WEEKS)
def test_next_due_is_nine_local_on_both_sides_of_a_clock_change(
    zone: str, before: datetime, expected: tuple[datetime, datetime]
) -> None:
    sub = _sub(zone)
    first = weekly.next_due(sub, before)
    second = weekly.next_due(sub, first)
    assert (first, second) == expected
    for instant in (first, second):
        local = instant.astimezone(ZoneInfo(zone))
        assert (local.weekday(), local.time()) == (0, time(9, 0))


@pytest.mark.parametrize(("zone", "before", "expected"), DST_WEEKS)
def test_last_due_and_is_due_follow_the_same_instants(
    zone: str, before: datetime, expected: tuple[datetime, datetime]
) -> None:
    first, second = expected
    sub = _sub(zone, watermark=first, created_at=before)
    assert weekly.last_due(sub, second - timedelta(seconds=1)) == first
    assert weekly.last_due(sub, second) == second
    assert not weekly.is_due(sub, second - timedelta(seconds=1))
    assert weekly.is_due(sub, second)


def test_a_time_inside_the_spring_gap_resolves_to_a_real_instant() -> None:
    sub = _sub("Europe/Berlin", weekday=6, at=time(2, 30))
    due = weekly.next_due(sub, datetime(2026, 3, 28, tzinfo=UTC))
    # 02:30 does not exist that night; the wall clock reads 03:30 (as APScheduler fires it).
    assert due == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_a_new_subscription_is_not_due_before_its_first_time() -> None:
    created = datetime(2026, 6, 29, 9, 30, tzinfo=UTC)  # a Monday, just after 09:00
    sub = _sub("UTC", created_at=created)
    assert not weekly.is_due(sub, created + timedelta(days=6))
    assert weekly.is_due(sub, datetime(2026, 7, 6, 9, 0, tzinfo=UTC))
    assert weekly.window_start(sub, created) == created - weekly.FIRST_WINDOW
