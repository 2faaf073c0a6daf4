"""The policy engine's settings: every rule we are not sure of is a setting, not a guess.

The defaults are our reading of the sources in DOMAIN.md; each field says which reading it
encodes and why, so changing one is a decision with a name rather than an edit to a rule.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from airline.models import ReasonCode

from .appr import DEFAULT_APPR_CONTROL, ApprControl
from .eu261 import DEFAULT_EXTRAORDINARY, Band, KnockOn
from .us_dot import DOMESTIC_CHANGE, INTERNATIONAL_CHANGE

EU261_COUNTRIES = frozenset(
    {
        # The 27 member states (Art 3(1); CELEX 32004R0261) ...
        *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"),
        *("IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"),
        # ... the outermost regions that airportsdata files under their own ISO code ...
        *("GP", "MQ", "GF", "RE", "YT", "MF"),
        # ... and the states that apply the regulation by agreement: the EEA (Iceland,
        # Liechtenstein, Norway) and Switzerland (EU-Swiss air transport agreement).
        *("IS", "LI", "NO", "CH"),
    }
)
UK_COUNTRIES = frozenset({"GB"})
US_COUNTRIES = frozenset({"US", "PR", "VI", "GU", "AS", "MP"})
"""The United States and its territories, whose airports airportsdata files separately."""
CA_COUNTRIES = frozenset({"CA"})


class PolicyConfig(BaseModel):
    """Which readings of the regulations the engine applies. Defaults need no configuration."""

    model_config = ConfigDict(frozen=True)

    eu_countries: frozenset[str] = Field(
        default=EU261_COUNTRIES, description="ISO countries where EU261 applies"
    )
    uk_countries: frozenset[str] = Field(default=UK_COUNTRIES)
    us_countries: frozenset[str] = Field(default=US_COUNTRIES)
    ca_countries: frozenset[str] = Field(default=CA_COUNTRIES)
    eu_carriers: frozenset[str] = Field(
        default=frozenset({"XA", "XB"}),
        description="carriers holding an EU operating licence ('Community carriers', Art 2(c)); "
        "the seeded XA (hub FRA) and XB (hub AMS) are",
    )
    uk_carriers: frozenset[str] = Field(
        default=frozenset(), description="carriers holding a UK operating licence"
    )
    extraordinary: frozenset[ReasonCode] = Field(
        default=DEFAULT_EXTRAORDINARY,
        description="reason codes that are extraordinary circumstances under EU261/UK261 "
        "Art 5(3); a carrier must still prove it could not avoid them",
    )
    knock_on: KnockOn = Field(
        default=KnockOn.INHERIT,
        description="knock-on delays inherit the originating delay's cause when known (TAP, "
        "C-74/19), else count as not extraordinary",
    )
    halve_rerouted: bool = Field(
        default=True,
        description="apply Art 7(2): the carrier 'may' halve compensation when the re-routed "
        "arrival is within 2/3/4 h, so the amount certainly owed is the half",
    )
    halve_delays_in: frozenset[Band] = Field(
        default=frozenset({Band.LONG}),
        description="bands where Art 7(2) also halves compensation for a plain delay. Sturgeon "
        "(C-402/07, para 63) allows the Art 7(2)(c) cut for long-haul delays of 3–4 h, which "
        "is the UK CAA's £260; for shorter bands the 2/3 h limits sit at or below the 3 h "
        "threshold, and the CAA pays them in full",
    )
    cumulative_compensation: bool = Field(
        default=False,
        description="whether compensation under two regimes (e.g. EU261 and APPR on FRA→YYZ) "
        "is paid twice; by default each names the other as an alternative: one is claimed",
    )
    appr_control: dict[ReasonCode, ApprControl] = Field(
        default_factory=lambda: dict(DEFAULT_APPR_CONTROL),
        description="APPR: whether each cause is outside the carrier's control (s.10), within "
        "it but required for safety (s.11), or within it (s.12)",
    )
    appr_small_carriers: frozenset[str] = Field(
        default=frozenset(),
        description="APPR small carriers (fewer than 2 M passengers in each of the two "
        "preceding years, s.1); every other carrier is large",
    )
    appr_care_after: timedelta = Field(
        default=timedelta(hours=2),
        description="APPR s.14: wait after the original departure from which food, drink and "
        "communication are owed (our reading of s.14(1); not in DOMAIN.md)",
    )
    lap_infants_compensated: bool = Field(
        default=False,
        description="whether an infant on a lap is owed compensation like a seated passenger. "
        "EU261 Art 3(3) excludes passengers 'travelling free of charge or at a reduced fare "
        "not available directly or indirectly to the public'; an infant fare is public, but "
        "many infants fly free (taxes only), so carriers differ: by default only the seated "
        "passengers are paid, and every traveller gets care",
    )
    written_notice_within: timedelta = Field(
        default=timedelta(minutes=30),
        description="EU261/UK261 Art 14(2) sets no hour for the written notice: due by the "
        "scheduled departure, or this soon after the carrier learns of a disruption it learns "
        "of only later (our reading, the span of 14 CFR 259.8)",
    )
    appr_inform_within: timedelta = Field(
        default=timedelta(minutes=30),
        description="APPR s.13: 'as soon as feasible' read as within this long of the carrier "
        "learning of the disruption (the CTA asks for updates every 30 minutes after)",
    )
    appr_refund_days: int = Field(
        default=30,
        ge=1,
        description="APPR s.17: days within which a chosen refund is paid (CTA guidance; "
        "secondary source)",
    )
    dot_domestic_change: timedelta = Field(
        default=DOMESTIC_CHANGE,
        description="14 CFR 260.2 significant change, domestic (secondary sources; unconfirmed)",
    )
    dot_international_change: timedelta = Field(
        default=INTERNATIONAL_CHANGE,
        description="14 CFR 260.2 significant change, international (secondary; unconfirmed)",
    )
