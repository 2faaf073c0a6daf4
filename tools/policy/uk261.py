"""UK261: Regulation 261/2004 as retained in UK law, with pound amounts and its own scope.

The rules are those of `tools.policy.eu261`; only the amounts, the territory and the
carriers covered on arrival differ. Scope (DOMAIN.md, from caa.co.uk): flights leaving the
UK, and flights arriving in the UK on a UK or EU carrier.
"""

from __future__ import annotations

from collections.abc import Mapping

from .eu261 import Band, Scale
from .results import Regime

UK261_AMOUNTS: Mapping[Band, int] = {Band.SHORT: 220, Band.MEDIUM: 350, Band.LONG: 520}
"""UK261 Art 7(1)(a)–(c), in pounds (caa.co.uk; a secondary source for the amounts). The
CAA's £260 for a long-haul arrival 3–4 h late is the Art 7(2)(c) half of £520."""

UK261 = Scale(
    regime=Regime.UK261,
    prefix="UK261",
    currency="GBP",
    amounts=UK261_AMOUNTS,
    amounts_source="amounts per caa.co.uk (secondary)",
)
