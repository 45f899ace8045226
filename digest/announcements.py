"""arXiv's announcement schedule: which mailing a submission goes out in, and its listing date.

arXiv takes submissions until 14:00 US/Eastern on weekdays and announces them at 20:00 Eastern,
Sunday to Thursday: a submission made before Monday's 14:00 deadline goes out on Monday evening,
one made between Thursday 14:00 and Friday 14:00 on Sunday evening, and one made after Friday's
deadline or over the weekend on Monday evening. arXiv lists a mailing under the next day's date
(Sunday evening's mailing is Monday's listing), which is the date the daily listings, the corpus
dumps and the weekly digests use, so listings fall on Monday to Friday. Holidays, when arXiv skips
mailings, are not modelled: the harvester re-reads recent windows, which covers them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ARXIV_ZONE = ZoneInfo("America/New_York")
DEADLINE = time(14, 0)
MAILING = time(20, 0)
FRIDAY = 4
DAY = timedelta(days=1)


def _local_deadline(day: date) -> datetime:
    return datetime.combine(day, DEADLINE, tzinfo=ARXIV_ZONE)


def _is_deadline_day(day: date) -> bool:
    return day.weekday() <= FRIDAY


def deadline_after(instant: datetime) -> datetime:
    """The first submission deadline (14:00 Eastern, Monday to Friday) strictly after `instant`."""
    local = instant.astimezone(ARXIV_ZONE)
    day = local.date()
    while not (_is_deadline_day(day) and _local_deadline(day) > local):
        day += DAY
    return _local_deadline(day).astimezone(UTC)


def deadline_at_or_before(instant: datetime) -> datetime:
    """The last submission deadline at or before `instant`."""
    local = instant.astimezone(ARXIV_ZONE)
    day = local.date()
    while not (_is_deadline_day(day) and _local_deadline(day) <= local):
        day -= DAY
    return _local_deadline(day).astimezone(UTC)


def mailing_of(deadline: datetime) -> datetime:
    """When the submissions that closed at `deadline` are announced (20:00 Eastern)."""
    day = deadline.astimezone(ARXIV_ZONE).date()
    if day.weekday() == FRIDAY:
        day += 2 * DAY  # Friday's deadline goes out on Sunday evening
    return datetime.combine(day, MAILING, tzinfo=ARXIV_ZONE).astimezone(UTC)


def listing_of(deadline: datetime) -> date:
    """The listing date of the mailing that closed at `deadline` (the day after the mailing)."""
    return mailing_of(deadline).astimezone(ARXIV_ZONE).date() + DAY


def announced_at(submitted: datetime) -> datetime:
    """When a version submitted (or replaced) at `submitted` is announced."""
    return mailing_of(deadline_after(submitted))


def listing_date(submitted: datetime) -> date:
    """The listing date of a version submitted at `submitted` (Monday to Friday)."""
    return listing_of(deadline_after(submitted))


def deadline_of_listing(day: date) -> datetime:
    """The deadline of the first listing on or after `day` (the previous weekday at 14:00)."""
    while day.weekday() > FRIDAY:
        day += DAY
    before = day - DAY
    while not _is_deadline_day(before):
        before -= DAY
    return _local_deadline(before).astimezone(UTC)


def last_mailed_deadline(now: datetime, lag: timedelta = timedelta(0)) -> datetime:
    """The latest deadline whose mailing went out at least `lag` before `now`."""
    deadline = deadline_at_or_before(now)
    while mailing_of(deadline) + lag > now:
        deadline = deadline_at_or_before(deadline - timedelta(seconds=1))
    return deadline


def deadlines_between(start: datetime, end: datetime) -> Iterator[datetime]:
    """Every deadline d with start < d <= end, oldest first."""
    deadline = deadline_after(start)
    while deadline <= end:
        yield deadline
        deadline = deadline_after(deadline)
