"""The passengers of the synthetic world: who flies which flights, who they are, what they paid.

Each flight and cabin is filled to a load factor drawn around `MEAN_LOAD_FACTOR`. Part of
every feeder flight into a hub connects onto a later flight of the same carrier (within the
hub's minimum connection time and `MAX_CONNECTION`); part of the short-haul morning seats
are same-day returns (out in the morning, back in the evening: a booking of two
journeys); the other seats are sold point to point. Seats of the same trip are then
grouped into parties — one traveller, couples, families with children and now and then an
infant on a lap (who takes no seat), groups — one booking each, whose contact is a
customer who flies in it. Some companions leave a contact of their own.

Contact details cannot reach anybody: emails are at example.com / example.org (RFC 2606)
and phone numbers come from the ranges regulators keep for fiction
(`airline.seed_names.phone_pools`).
"""

from __future__ import annotations

import random
import string
from bisect import bisect
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from itertools import accumulate
from typing import TypeVar

from airline.airports import great_circle_km, minimum_connection_time
from airline.models import (
    Airport,
    Booking,
    Cabin,
    ChannelKind,
    ContactChannel,
    Customer,
    FareFamily,
    Flight,
    Journey,
    LoyaltyTier,
    Passenger,
    PassengerType,
    PaymentMethod,
    Segment,
)
from airline.seed_names import (
    FAMILY_NAME_FIRST,
    LANGUAGE_OF_COUNTRY,
    NAME_LISTS,
    ascii_name,
    phone,
    phone_pools,
)
from airline.seed_trips import GROUP_SIZES, Trip, day_returns, parties

MEAN_LOAD_FACTOR = 0.82
_LOAD_FACTOR_SD = 0.08
_LOAD_FACTOR_RANGE = (0.5, 0.98)
MAX_CONNECTION = timedelta(hours=4)
"""The longest connection we sell; beyond it a passenger would rather take another route."""
_CONNECTING_SHARE = (0.45, 0.75)
"""Share of a feeder flight's passengers who connect at the hub (drawn per flight)."""
_MAX_CIRCUITY = 1.8
"""A connection is sold only if it flies at most this times the direct distance."""
_PREMIUM_UPSELL = 0.12
"""Economy feeder passengers who fly the long-haul leg in premium economy."""

_T = TypeVar("_T")
_CABIN_RANK = {Cabin.ECONOMY: 0, Cabin.PREMIUM: 1, Cabin.BUSINESS: 2}
_FARES = (FareFamily.BASIC, FareFamily.STANDARD, FareFamily.FLEX)
# Economy 32/54/14 and no basic fares up front give about 30/55/15 overall.
_FARE_CUM_WEIGHTS = {
    Cabin.ECONOMY: tuple(accumulate((32, 54, 14))),
    Cabin.PREMIUM: tuple(accumulate((0, 60, 40))),
    Cabin.BUSINESS: tuple(accumulate((0, 60, 40))),
}
_FARE_PRICE = {FareFamily.BASIC: 0.75, FareFamily.STANDARD: 1.0, FareFamily.FLEX: 1.6}
_TIERS = (LoyaltyTier.NONE, LoyaltyTier.SILVER, LoyaltyTier.GOLD, LoyaltyTier.PLATINUM)
_TIER_CUM_WEIGHTS = tuple(accumulate((70, 15, 10, 5)))
_PNR_ALPHABET = string.ascii_uppercase + string.digits


def book_passengers(
    rng: random.Random,
    flights: Sequence[Flight],
    airports: dict[str, Airport],
    *,
    hubs: dict[str, str],
) -> tuple[list[Customer], list[Booking]]:
    """Fill the flights with passengers and set each cabin's `sold` to match.

    Args:
        rng: the world's random source; it is advanced.
        flights: every flight of the day; their inventories are updated in place.
        airports: the airports by IATA code.
        hubs: each carrier's hub, by carrier code; connections are built there.

    Returns:
        The customers (ids C000001, …), one per booking (its contact, who also flies), and
        their bookings: parties of one to a group (`_PARTY_SIZES`), one-way or same-day
        returns (`_DAY_RETURN_SHARE`).
    """
    left = {
        # Rounded down, so that even the fullest cabin stays within the clipped load factor.
        (f.key, inv.cabin): int(inv.capacity * _load_factor(rng))
        for f in flights
        for inv in f.cabins
    }
    trips: list[Trip] = [(legs,) for legs in _connections(rng, flights, airports, hubs, left)]
    trips += day_returns(rng, flights, airports, left)
    for f in flights:  # the seats left are sold point to point
        for inv in f.cabins:
            trips += [([(f.key, inv.cabin)],) for _ in range(left[f.key, inv.cabin])]
    grouped = parties(rng, trips)
    rng.shuffle(grouped)  # so that ids and PNRs say nothing about the flight

    by_key = {f.key: f for f in flights}
    pools = phone_pools(rng)
    used_pnrs: set[str] = set()
    customers, bookings = [], []
    sold: Counter[tuple[str, Cabin]] = Counter()
    for n, (trip, party) in enumerate(grouped, start=1):
        first = trip[0][0][0]
        customer, family = _customer(rng, n, airports[by_key[first].origin].country, pools)
        legs = [leg for journey in trip for leg in journey]
        cabin = max((c for _, c in legs), key=_CABIN_RANK.__getitem__)
        fare = _pick(rng, _FARES, _FARE_CUM_WEIGHTS[cabin])
        passengers = _passengers(rng, customer, family, party, pools, n)
        seated = sum(p.needs_seat for p in passengers)
        infants = len(passengers) - seated
        journeys = []
        for number, journey_legs in enumerate(trip, start=1):
            km = sum(by_key[key].distance_km for key, _ in journey_legs)
            each = _price_cents(rng, km, cabin, fare)
            journeys.append(
                Journey(
                    seq=number,
                    origin=by_key[journey_legs[0][0]].origin,
                    destination=by_key[journey_legs[-1][0]].destination,
                    # Infants on a lap pay a tenth of the adult fare (a common tariff).
                    price_cents=each * seated + round(each * _INFANT_FARE / 100) * 100 * infants,
                )
            )
        segments = [
            Segment(seq=seq, flight_key=key, cabin=c, journey=number)
            for seq, (number, (key, c)) in enumerate(
                ((number, leg) for number, journey in enumerate(trip, start=1) for leg in journey),
                start=1,
            )
        ]
        bookings.append(
            Booking(
                pnr=_pnr(rng, used_pnrs),
                customer_id=customer.id,
                fare=fare,
                price_cents=sum(j.price_cents or 0 for j in journeys),
                payment=PaymentMethod.CARD if rng.random() < _PAID_BY_CARD else PaymentMethod.OTHER,
                passengers=passengers,
                journeys=journeys,
                segments=segments,
            )
        )
        customers.append(customer)
        sold.update({leg: seated for leg in legs})

    for f in flights:
        for inv in f.cabins:
            inv.sold = sold[f.key, inv.cabin]
    return customers, bookings


_INFANT_SHARE = {1: 0.008, 2: 0.04, 3: 0.07, 4: 0.05}
"""Chance that a party of this many seated travellers also carries an infant on a lap."""
_OWN_CONTACT = 0.2
"""Share of adult companions who left a contact of their own on the booking."""
_INFANT_FARE = 0.10
"""Infants on a lap pay a tenth of the adult fare (a common tariff)."""
_PAID_BY_CARD = 0.92
"""Most tickets are paid by card; the rest by bank transfer, cash or a travel agent."""


def _passengers(
    rng: random.Random,
    customer: Customer,
    family: str,
    seats: int,
    pools: dict[str, list[str]],
    n: int,
) -> list[Passenger]:
    """The travellers of a party of `seats` seats: the customer first, then companions —
    a couple, a family with children (and perhaps an infant on a lap), or a group."""
    people = [Passenger(seq=1, name=customer.name)]
    group = seats >= GROUP_SIZES[0]
    # Groups are adults; so are most pairs and half the parties of three to six
    # (friends, colleagues); the others are families: two parents, or one, and children.
    adults = seats
    if not group and seats > 1 and rng.random() < (0.12 if seats == 2 else 0.45):
        adults = 1 if seats == 2 or rng.random() < 0.2 else 2
    for seq in range(2, seats + 1):
        kind = PassengerType.ADULT if seq <= adults else PassengerType.CHILD
        name = _companion_name(rng, customer.language, None if group else family)
        contact = []
        if kind is PassengerType.ADULT and rng.random() < _OWN_CONTACT:
            contact = [
                ContactChannel(
                    kind=ChannelKind.SMS,
                    address=phone(pools, customer.language, n),
                    consent=True,
                )
            ]
        people.append(Passenger(seq=seq, name=name, type=kind, contact=contact, language=None))
    if not group and rng.random() < _INFANT_SHARE.get(seats, 0.0):
        people.append(
            Passenger(
                seq=seats + 1,
                name=_companion_name(rng, customer.language, family),
                type=PassengerType.INFANT,
                on_lap_of=1,
            )
        )
    return people


def _companion_name(rng: random.Random, language: str, family: str | None) -> str:
    """A travelling companion's name: the same family name in a family, any in a group."""
    female, male, families = NAME_LISTS[language]
    first = rng.choice(female if rng.random() < 0.5 else male).partition(":")[0]
    last = family or rng.choice(families).split("|")[0].partition(":")[0]
    if language in FAMILY_NAME_FIRST:
        return f"{last}{'' if language == 'zh' else ' '}{first}"
    return f"{first} {last}"


def _pick(rng: random.Random, items: Sequence[_T], cum_weights: Sequence[int]) -> _T:
    """`rng.choices(items, cum_weights=...)[0]` without its per-call overhead."""
    return items[bisect(cum_weights, rng.random() * cum_weights[-1])]


def _load_factor(rng: random.Random) -> float:
    low, high = _LOAD_FACTOR_RANGE
    return min(high, max(low, rng.gauss(MEAN_LOAD_FACTOR, _LOAD_FACTOR_SD)))


def _connections(
    rng: random.Random,
    flights: Sequence[Flight],
    airports: dict[str, Airport],
    hubs: dict[str, str],
    left: dict[tuple[str, Cabin], int],
) -> list[list[tuple[str, Cabin]]]:
    """Spoke → hub → spoke itineraries on one carrier; takes their seats from `left`."""
    itineraries = []
    for carrier, hub_code in hubs.items():
        hub = airports[hub_code]
        onward = [f for f in flights if f.carrier == carrier and f.origin == hub_code]
        for first in (f for f in flights if f.carrier == carrier and f.destination == hub_code):
            origin = airports[first.origin]
            choices = []
            for second in onward:
                destination = airports[second.destination]
                if destination.iata == origin.iata:
                    continue
                # Conservative on purpose: an end abroad from the hub counts as international.
                international = not (origin.country == hub.country == destination.country)
                mct = minimum_connection_time(hub, international=international)
                circuity = (first.distance_km + second.distance_km) / great_circle_km(
                    origin, destination
                )
                wait = second.sched_dep - first.sched_arr
                if mct <= wait <= MAX_CONNECTION and circuity <= _MAX_CIRCUITY:
                    choices.append(second)
            if not choices:
                continue
            for inv in first.cabins:
                wanted = round(left[first.key, inv.cabin] * rng.uniform(*_CONNECTING_SHARE))
                weights = [left.get((s.key, inv.cabin), 0) for s in choices]
                for _ in range(wanted):
                    if not any(weights):
                        break
                    i = rng.choices(range(len(choices)), weights=weights)[0]
                    second = choices[i]
                    onward_cabin = inv.cabin
                    if (
                        inv.cabin == Cabin.ECONOMY
                        and left.get((second.key, Cabin.PREMIUM), 0) > 0
                        and rng.random() < _PREMIUM_UPSELL
                    ):
                        onward_cabin = Cabin.PREMIUM
                    else:
                        weights[i] -= 1
                    left[first.key, inv.cabin] -= 1
                    left[second.key, onward_cabin] -= 1
                    itineraries.append([(first.key, inv.cabin), (second.key, onward_cabin)])
    return itineraries


def _pnr(rng: random.Random, used: set[str]) -> str:
    """A fresh six-character record locator (one draw, written in base 36)."""
    while True:
        n = rng.randrange(36**6)
        chars = []
        for _ in range(6):
            n, digit = divmod(n, 36)
            chars.append(_PNR_ALPHABET[digit])
        pnr = "".join(chars)
        if pnr not in used:
            used.add(pnr)
            return pnr


def _price_cents(rng: random.Random, km: int, cabin: Cabin, fare: FareFamily) -> int:
    """A one-way fare in euro cents: a base plus a distance rate, scaled by cabin and fare."""
    cabin_factor = {Cabin.ECONOMY: 1.0, Cabin.PREMIUM: 1.8, Cabin.BUSINESS: 3.0}[cabin]
    if cabin == Cabin.BUSINESS and km >= 3500:
        cabin_factor = 4.0  # long-haul business sells a bed, not a blocked middle seat
    euros = (35 + 0.09 * km) * cabin_factor * _FARE_PRICE[fare] * rng.uniform(0.85, 1.25)
    return max(29, round(euros)) * 100


def _customer(
    rng: random.Random, n: int, country: str, pools: dict[str, list[str]]
) -> tuple[Customer, str]:
    """A customer whose language follows the country they first fly from, and their family
    name (for the family they travel with)."""
    local = LANGUAGE_OF_COUNTRY.get(country, "en")
    if local == "fr" and country == "BE":
        local = rng.choice(("fr", "nl"))
    roll = rng.random()
    # Some Chinese and some English speakers everywhere; the rest speak the local language.
    language = "zh" if roll < 0.04 else "en" if roll < 0.24 else local
    female, male, family = NAME_LISTS[language]
    is_female = rng.random() < 0.5
    first = rng.choice(female if is_female else male)
    surname = rng.choice(family).split("|")
    last = surname[-1] if is_female else surname[0]
    if language == "es":  # two family names, father's then mother's
        last = f"{last} {rng.choice(family)}"
    first_native, _, first_latin = first.partition(":")
    last_native, _, last_latin = last.partition(":")
    if language in FAMILY_NAME_FIRST:
        name = f"{last_native}{'' if language == 'zh' else ' '}{first_native}"
    else:
        name = f"{first_native} {last_native}"

    # (kind, address, consent) in order of preference: the list index is the priority.
    reach: list[tuple[ChannelKind, str, bool]] = []
    has_email = rng.random() < 0.98
    if has_email:
        domain = "example.com" if rng.random() < 0.7 else "example.org"
        local_part = (
            f"{ascii_name(first_latin or first_native)}.{ascii_name(last_latin or last_native)}"
        )
        reach.append((ChannelKind.EMAIL, f"{local_part}{n}@{domain}", rng.random() < 0.95))
    if rng.random() < (0.60 if has_email else 0.9):
        sms_first = rng.random() < 0.35  # they read texts sooner than mail
        number = phone(pools, "US" if country == "US" else language, n)
        sms = (ChannelKind.SMS, number, rng.random() < 0.92)
        reach.insert(0 if sms_first else len(reach), sms)
    customer = Customer(
        id=f"C{n:06d}",
        name=name,
        language=language,
        tier=_pick(rng, _TIERS, _TIER_CUM_WEIGHTS),
        channels=[
            ContactChannel(kind=kind, address=address, consent=consent, priority=priority)
            for priority, (kind, address, consent) in enumerate(reach)
        ],
    )
    return customer, last_native
