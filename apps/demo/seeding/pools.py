"""Pre-generated pools and fast formatting for the bulk generator.

Faker is slow (tens of microseconds a name), so it fills small pools once and the
generator draws from them; a million leads then cost a few random() calls each.
Values are already in PostgreSQL COPY text format.
"""

import datetime as dt
import random
import unicodedata
from bisect import bisect_right

from faker import Faker

from apps.demo.seeding import catalog

NULL = "\\N"  # COPY's NULL
_EPOCH = dt.date(1970, 1, 1)


class Weighted:
    """Draw values by weight with one random() and a bisect."""

    __slots__ = ("cumulative", "total", "values")

    def __init__(self, pairs) -> None:
        pairs = [(value, weight) for value, weight in pairs if weight > 0]
        self.values = [value for value, _ in pairs]
        self.cumulative, running = [], 0.0
        for _, weight in pairs:
            running += weight
            self.cumulative.append(running)
        self.total = running

    def draw(self, rnd):
        return self.values[bisect_right(self.cumulative, rnd() * self.total)]

    def __bool__(self) -> bool:
        return bool(self.values)


_TIMES_OF_DAY = [
    f" {second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}+00" for second in range(86400)
]


class TimeText:
    """Epoch seconds to COPY text: a cached date part plus a precomputed time of day."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def ts(self, epoch: int) -> str:
        day = epoch // 86400
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = (_EPOCH + dt.timedelta(days=day)).isoformat()
        return text + _TIMES_OF_DAY[epoch - day * 86400]

    def ts_or_null(self, epoch: int | None) -> str:
        return NULL if epoch is None else self.ts(epoch)

    def date(self, epoch: int) -> str:
        """The UTC calendar date of a moment."""
        day = epoch // 86400
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = (_EPOCH + dt.timedelta(days=day)).isoformat()
        return text


def ascii_fold(text: str) -> str:
    """María → maria, for email addresses."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


class NamePools:
    """First and last names in English and Spanish, each with its email-safe form."""

    def __init__(self, *, fake_en: Faker, fake_es: Faker, size: int = 600) -> None:
        def pool(producer) -> list[tuple[str, str]]:
            names = sorted({producer() for _ in range(size)})
            return [(_copy_safe(name), ascii_fold(name) or "patient") for name in names]

        self.female = {"en": pool(fake_en.first_name_female), "es": pool(fake_es.first_name_female)}
        self.male = {"en": pool(fake_en.first_name_male), "es": pool(fake_es.first_name_male)}
        self.last = {"en": pool(fake_en.last_name), "es": pool(fake_es.last_name)}


def _copy_safe(text: str) -> str:
    return text.replace("\\", "").replace("\t", " ").replace("\n", " ")


class PhoneBook:
    """Unique, fictional-looking US phones: the 555 exchange, home area codes first.

    Person number k maps to one number, so a million people never share a phone and a
    later seed continues where the last one stopped.
    """

    def __init__(self, *, start: int) -> None:
        self._local = {spec.slug: list(spec.area_codes) for spec in catalog.LOCATIONS}
        self._counters = dict.fromkeys(self._local, start)
        self._national = start

    def phone(self, location_slug: str) -> str:
        codes = self._local[location_slug]
        count = self._counters[location_slug]
        self._counters[location_slug] = count + 1
        block, line = divmod(count, 10000)
        if block < len(codes):
            area = codes[block]
            exchange = "555"
        else:
            count = self._national
            self._national += 1
            block, line = divmod(count, 10000)
            area = catalog.NATIONAL_AREA_CODES[block % len(catalog.NATIONAL_AREA_CODES)]
            # Past every area code's 555 block, move to other exchanges (556, 557, ...).
            exchange = str(555 + block // len(catalog.NATIONAL_AREA_CODES))
        # A fixed odd multiplier shuffles line numbers without repeating any.
        return f"+1{area}{exchange}{line * 7919 % 10000:04d}"


def day_weights(*, rng: random.Random, today: dt.date, days: int) -> Weighted:
    """Lead volume by day, newest first: weekdays busy, weekends quiet, slow growth."""
    pairs = []
    for back in range(days):
        weekday = (today - dt.timedelta(days=back)).weekday()
        weight = (1.0, 1.05, 1.0, 0.95, 0.9, 0.45, 0.35)[weekday]
        weight *= 1 + 0.25 * (1 - back / days) + rng.uniform(-0.08, 0.08)
        pairs.append((back, weight))
    return Weighted(pairs)


# Share of inquiries by local hour of day.
HOUR_WEIGHTS = Weighted(
    zip(
        range(24),
        (
            1,
            0.6,
            0.4,
            0.3,
            0.3,
            0.6,
            1.5,
            4,
            7,
            9,
            9.5,
            9,
            8,
            8.5,
            8.5,
            8,
            7,
            6,
            5,
            5,
            4.5,
            4,
            3,
            1.8,
        ),
        strict=True,
    )
)
