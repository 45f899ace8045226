"""arXiv's announcement schedule around the 14:00 deadline, weekends and daylight saving."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from digest.announcements import (
    ARXIV_ZONE,
    announced_at,
    deadline_after,
    deadline_of_listing,
    deadlines_between,
    last_mailed_deadline,
    listing_date,
)


def eastern(day: date, hour: int, minute: int = 0) -> datetime:
    """An Eastern wall-clock time as an aware datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ARXIV_ZONE)


MON = date(2026, 6, 22)
FRI = date(2026, 6, 19)


@pytest.mark.parametrize(
    ("submitted", "mailing", "listing"),
    [
        # Before Monday's deadline: Monday evening, listed Tuesday.
        (eastern(MON, 13, 59), eastern(MON, 20), date(2026, 6, 23)),
        # At the deadline or after it: the next day's mailing.
        (eastern(MON, 14, 0), eastern(MON + timedelta(1), 20), date(2026, 6, 24)),
        (eastern(MON, 14, 1), eastern(MON + timedelta(1), 20), date(2026, 6, 24)),
        # Thursday after the deadline and Friday before it: Sunday evening, listed Monday.
        (eastern(FRI - timedelta(1), 15), eastern(date(2026, 6, 21), 20), MON),
        (eastern(FRI, 13, 0), eastern(date(2026, 6, 21), 20), MON),
        # Friday after the deadline, Saturday, Sunday: Monday evening, listed Tuesday.
        (eastern(FRI, 14, 30), eastern(MON, 20), date(2026, 6, 23)),
        (eastern(date(2026, 6, 20), 9), eastern(MON, 20), date(2026, 6, 23)),
        (eastern(date(2026, 6, 21), 23, 59), eastern(MON, 20), date(2026, 6, 23)),
    ],
)
def test_mailing_and_listing_of_a_submission(
    submitted: datetime, mailing: datetime, listing: date
) -> None:
    assert announced_at(submitted) == mailing
    assert listing_date(submitted) == listing


def test_listings_fall_on_weekdays_only() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    days = {listing_date(start + timedelta(hours=h)).weekday() for h in range(0, 24 * 60, 5)}
    assert days == {0, 1, 2, 3, 4}


def test_the_deadline_is_14_eastern_in_winter_and_summer() -> None:
    winter = deadline_after(datetime(2026, 1, 12, 12, tzinfo=UTC))  # a Monday
    summer = deadline_after(datetime(2026, 6, 22, 12, tzinfo=UTC))
    assert winter == datetime(2026, 1, 12, 19, 0, tzinfo=UTC)  # EST, UTC-5
    assert summer == datetime(2026, 6, 22, 18, 0, tzinfo=UTC)  # EDT, UTC-4


def test_utc_input_across_the_date_line_of_eastern_time() -> None:
    # Saturday 02:00 UTC is still Friday 22:00 in New York: after Friday's deadline.
    assert listing_date(datetime(2026, 6, 20, 2, 0, tzinfo=UTC)) == date(2026, 6, 23)


def test_deadline_of_a_listing_is_the_previous_weekday() -> None:
    assert deadline_of_listing(MON) == eastern(FRI, 14).astimezone(UTC)
    assert deadline_of_listing(date(2026, 6, 23)) == eastern(MON, 14).astimezone(UTC)
    # A weekend date means the Monday listing after it.
    assert deadline_of_listing(date(2026, 6, 20)) == eastern(FRI, 14).astimezone(UTC)


def test_last_mailed_deadline_waits_for_the_mailing_and_the_lag() -> None:
    lag = timedelta(minutes=30)
    monday_evening = eastern(MON, 20, 10).astimezone(UTC)
    # Monday 20:10: the mailing went out but the lag has not passed; Sunday's is the last.
    assert last_mailed_deadline(monday_evening, lag) == eastern(FRI, 14).astimezone(UTC)
    assert last_mailed_deadline(monday_evening + lag, lag) == eastern(MON, 14).astimezone(UTC)
    # Saturday: Thursday evening's mailing (deadline Thursday 14:00) is the last one.
    saturday = eastern(date(2026, 6, 20), 12).astimezone(UTC)
    assert last_mailed_deadline(saturday, lag) == eastern(FRI - timedelta(1), 14).astimezone(UTC)


def test_deadlines_between_skip_weekends() -> None:
    found = list(deadlines_between(eastern(FRI, 14), eastern(MON + timedelta(1), 14)))
    assert found == [eastern(MON, 14), eastern(MON + timedelta(1), 14)]
