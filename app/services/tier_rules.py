"""Tier rule definitions: dimensions, tiers and their service policy, the three presets, checks and JSON."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field, replace
from itertools import pairwise

from app.i18n import N_, _
from app.services.errors import ValidationError

WEIGHTED = "weighted"
RFM = "rfm"
ABC = "abc"
METHODS = {WEIGHTED: N_("Weighted score"), RFM: N_("RFM segments"), ABC: N_("ABC by revenue")}

CADENCES = {"monthly": N_("Monthly"), "quarterly": N_("Quarterly"), "none": N_("Only on demand")}
CADENCE_MONTHS = {"monthly": 1, "quarterly": 3}

PERCENTILE = "percentile"
THRESHOLDS = "thresholds"
SCALES = {PERCENTILE: N_("Percentile rank"), THRESHOLDS: N_("Thresholds")}


@dataclass(frozen=True)
class DimensionInfo:
    key: str
    label: str
    unit: str
    lower_is_better: bool = False
    # What an unrated customer counts as (manual ratings only).
    missing: float | None = None


# Every dimension a rule can weigh, in the order the editor and explanations list them.
DIMENSIONS = {
    d.key: d
    for d in (
        DimensionInfo("revenue", N_("Revenue, last 12 months"), N_("yuan")),
        DimensionInfo("profit", N_("Profit, last 12 months"), N_("yuan")),
        DimensionInfo("purchases", N_("Purchases, last 12 months"), N_("purchases")),
        DimensionInfo("recency", N_("Days since the last purchase"), N_("days"), lower_is_better=True),
        DimensionInfo("cooperation", N_("Years of cooperation"), N_("years")),
        DimensionInfo("complaints", N_("Complaints, last 12 months"), N_("complaints"), lower_is_better=True),
        DimensionInfo("potential", N_("Potential (rating 1–5)"), N_("rating"), missing=3),
        DimensionInfo("influence", N_("Influence (rating 1–5)"), N_("rating"), missing=3),
    )
}

# The contact cadence per tier when no rule set names the tier (domain.md: VIP 30 … potential 120).
DEFAULT_CADENCE_DAYS = {"vip": 30, "important": 60, "normal": 90, "potential": 120}
FALLBACK_CADENCE_DAYS = 90


@dataclass(frozen=True)
class Dimension:
    key: str
    weight: float = 0.0
    scale: str = PERCENTILE
    thresholds: tuple[float, ...] = ()


@dataclass(frozen=True)
class TierDef:
    """One tier: its key (stored on customers), its name, how it is reached and its service policy.

    Weighted: `min_score` (0–100) reached. ABC: `up_to` is the cumulative revenue share (%) the tier
    covers. RFM: recency and frequency scores within [r_min, r_max] and [f_min, f_max].
    """

    key: str
    label: str = ""
    min_score: float = 0.0
    up_to: float = 100.0
    r_min: int = 1
    r_max: int = 5
    f_min: int = 1
    f_max: int = 5
    cadence_days: int = FALLBACK_CADENCE_DAYS
    service_level: str = ""
    guidance: str = ""

    @property
    def name(self) -> str:
        """The name shown: a preset's name in the current language, or what the user typed."""
        return _(self.label) if self.label else self.key


@dataclass(frozen=True)
class RuleDefinition:
    method: str
    cadence: str = "quarterly"
    dimensions: tuple[Dimension, ...] = ()
    tiers: tuple[TierDef, ...] = ()
    # Customers who never bought get this tier, unless a manual rating lets their score decide.
    no_purchase_tier: str = "potential"

    def tier(self, key: str) -> TierDef | None:
        return next((t for t in self.tiers if t.key == key), None)

    def rank(self, key: str) -> int | None:
        """0 for the best tier; None for a key this rule set does not name."""
        return next((i for i, t in enumerate(self.tiers) if t.key == key), None)

    @property
    def weights(self) -> dict[str, float]:
        return {d.key: d.weight for d in self.dimensions if d.weight > 0}

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RuleDefinition:
        raw = json.loads(text)
        return cls(
            method=raw["method"],
            cadence=raw.get("cadence", "quarterly"),
            dimensions=tuple(
                Dimension(d["key"], float(d["weight"]), d["scale"], tuple(float(t) for t in d["thresholds"]))
                for d in raw.get("dimensions", ())
            ),
            tiers=tuple(TierDef(**t) for t in raw.get("tiers", ())),
            no_purchase_tier=raw.get("no_purchase_tier", ""),
        )


@dataclass(frozen=True)
class Preset:
    id: uuid.UUID
    name: str  # a msgid: stored in the chosen language when the preset is first written
    definition: RuleDefinition


def _policy(cadence: int, level: str, guidance: str) -> dict:
    return {"cadence_days": cadence, "service_level": level, "guidance": guidance}


# The tiers of the documents (seed 000, 003) and their service (seed 003).
_DOCUMENT_TIERS = (
    TierDef(
        "vip",
        N_("VIP"),
        min_score=80,
        **_policy(
            30,
            N_("Personal service"),
            N_("Own account manager; visit or call every month; birthday and holiday greetings."),
        ),
    ),
    TierDef(
        "important",
        N_("Important"),
        min_score=60,
        **_policy(60, N_("Regular follow-up"), N_("Follow up every two months; invite to events.")),
    ),
    TierDef(
        "normal",
        N_("Normal"),
        min_score=0,
        **_policy(90, N_("Standard service"), N_("Standard service; contact every quarter.")),
    ),
    TierDef(
        "potential",
        N_("Prospect"),
        min_score=0,
        **_policy(120, N_("Development"), N_("Find the need and make a first offer.")),
    ),
)

WEIGHTED_PRESET = RuleDefinition(
    method=WEIGHTED,
    cadence="quarterly",
    dimensions=(
        Dimension("revenue", 30),  # contribution
        Dimension("profit", 15),
        Dimension("purchases", 10),  # stability
        Dimension("cooperation", 10, THRESHOLDS, (1, 3, 5, 10)),
        Dimension("recency", 10, THRESHOLDS, (30, 90, 180, 365)),
        Dimension("complaints", 5, THRESHOLDS, (0, 1, 2, 4)),
        Dimension("potential", 10, THRESHOLDS, (2, 3, 4, 5)),
        Dimension("influence", 10, THRESHOLDS, (2, 3, 4, 5)),
    ),
    tiers=_DOCUMENT_TIERS,
    no_purchase_tier="potential",
)


def _segment(key: str, label: str, r: tuple[int, int], f: tuple[int, int], cadence: int, guidance: str):
    return TierDef(
        key, label, r_min=r[0], r_max=r[1], f_min=f[0], f_max=f[1], cadence_days=cadence, guidance=guidance
    )


# The usual RFM segments on the recency × frequency grid, best first; the first that matches wins.
RFM_PRESET = RuleDefinition(
    method=RFM,
    cadence="monthly",
    dimensions=(Dimension("recency", 1), Dimension("purchases", 1), Dimension("revenue", 1)),
    tiers=(
        _segment("champions", N_("Champions"), (5, 5), (4, 5), 30, N_("Reward them; ask for referrals.")),
        _segment("loyal", N_("Loyal customers"), (3, 4), (4, 5), 30, N_("Offer more; keep in touch.")),
        _segment(
            "cant_lose", N_("Can't lose them"), (1, 2), (5, 5), 30, N_("Win them back: call in person.")
        ),
        _segment(
            "potential_loyalists",
            N_("Potential loyalists"),
            (4, 5),
            (2, 3),
            60,
            N_("Offer a membership or a loyalty plan."),
        ),
        _segment("at_risk", N_("At risk"), (1, 2), (3, 4), 30, N_("Reach out with a personal offer.")),
        _segment("need_attention", N_("Need attention"), (3, 3), (3, 3), 60, N_("A limited-time offer.")),
        _segment("new_customers", N_("New customers"), (5, 5), (1, 1), 60, N_("Help them get started.")),
        _segment("promising", N_("Promising"), (4, 4), (1, 1), 60, N_("Build the relationship.")),
        _segment("about_to_sleep", N_("About to sleep"), (3, 3), (1, 2), 90, N_("Remind them of us.")),
        _segment("hibernating", N_("Hibernating"), (1, 2), (1, 2), 120, N_("Try once more; else let go.")),
        TierDef(
            "potential",
            N_("Prospect"),
            cadence_days=120,
            guidance=N_("Find the need and make a first offer."),
        ),
    ),
    no_purchase_tier="potential",
)

ABC_PRESET = RuleDefinition(
    method=ABC,
    cadence="quarterly",
    dimensions=(Dimension("revenue", 1),),
    tiers=(
        TierDef("A", "A", up_to=80, cadence_days=30, service_level=N_("Personal service")),
        TierDef("B", "B", up_to=95, cadence_days=60, service_level=N_("Regular follow-up")),
        TierDef("C", "C", up_to=100, cadence_days=90, service_level=N_("Standard service")),
        TierDef("potential", N_("Prospect"), cadence_days=120, service_level=N_("Development")),
    ),
    no_purchase_tier="potential",
)

# Fixed ids, so every database (and every laptop that syncs later) agrees on the presets.
PRESETS = (
    Preset(uuid.UUID("00000000-0000-4000-8000-000000000101"), N_("Weighted score"), WEIGHTED_PRESET),
    Preset(uuid.UUID("00000000-0000-4000-8000-000000000102"), N_("RFM"), RFM_PRESET),
    Preset(uuid.UUID("00000000-0000-4000-8000-000000000103"), N_("ABC"), ABC_PRESET),
)


def preset_for(method: str) -> RuleDefinition:
    return {WEIGHTED: WEIGHTED_PRESET, RFM: RFM_PRESET, ABC: ABC_PRESET}[method]


def dimension_label(key: str) -> str:
    return _(DIMENSIONS[key].label) if key in DIMENSIONS else key


@dataclass
class _Checker:
    errors: dict[str, str] = field(default_factory=dict)

    def fail(self, where: str, message: str) -> None:
        self.errors.setdefault(where, message)


def check_definition(name: str, definition: RuleDefinition) -> RuleDefinition:
    """The definition as it will be saved (names trimmed, tiers of a weighted set by score), or why not.

    Raises ValidationError naming the dimension or tier at fault, in the user's language.
    """
    check = _Checker()
    if not name.strip():
        check.fail("name", _("Give the rule set a name."))
    if definition.method not in METHODS:
        check.fail("method", _("Unknown method {method}.").format(method=definition.method))
    if definition.cadence not in CADENCES:
        check.fail("cadence", _("Choose how often the tiers are evaluated."))
    seen: set[str] = set()
    for dim in definition.dimensions:
        label = dimension_label(dim.key)
        if dim.key not in DIMENSIONS:
            check.fail(f"dimension:{dim.key}", _("Unknown dimension {key}.").format(key=dim.key))
        if dim.key in seen:
            check.fail(f"dimension:{dim.key}", _("{dimension} is listed twice.").format(dimension=label))
        seen.add(dim.key)
        if dim.weight < 0:
            check.fail(
                f"dimension:{dim.key}",
                _("The weight of {dimension} cannot be negative.").format(dimension=label),
            )
        if dim.scale not in SCALES:
            check.fail(f"dimension:{dim.key}", _("Unknown scale for {dimension}.").format(dimension=label))
        if dim.scale == THRESHOLDS and dim.weight > 0:
            if not dim.thresholds:
                check.fail(
                    f"dimension:{dim.key}",
                    _("{dimension}: give at least one threshold, or scale by percentile rank.").format(
                        dimension=label
                    ),
                )
            elif any(b <= a for a, b in pairwise(dim.thresholds)):
                check.fail(
                    f"dimension:{dim.key}",
                    _("{dimension}: the thresholds must rise from left to right.").format(dimension=label),
                )
    if definition.method == WEIGHTED and not definition.weights:
        check.fail("dimensions", _("Give at least one dimension a weight above 0."))
    tiers = [replace(t, key=t.key.strip(), label=t.label.strip()) for t in definition.tiers]
    if not tiers:
        check.fail("tiers", _("Name at least one tier."))
    keys: set[str] = set()
    for tier in tiers:
        if not tier.key:
            check.fail("tiers", _("Every tier needs a name."))
            continue
        if tier.key in keys:
            check.fail(f"tier:{tier.key}", _("The tier {tier} is named twice.").format(tier=tier.name))
        keys.add(tier.key)
        if tier.cadence_days < 1:
            check.fail(
                f"tier:{tier.key}",
                _("{tier}: the contact cadence must be at least 1 day.").format(tier=tier.name),
            )
        if not 0 <= tier.min_score <= 100:
            check.fail(
                f"tier:{tier.key}", _("{tier}: the minimum score must be 0 to 100.").format(tier=tier.name)
            )
        if not 0 < tier.up_to <= 100:
            check.fail(
                f"tier:{tier.key}",
                _("{tier}: the cumulative share must be above 0 and at most 100 %.").format(tier=tier.name),
            )
        if not (1 <= tier.r_min <= tier.r_max <= 5 and 1 <= tier.f_min <= tier.f_max <= 5):
            check.fail(
                f"tier:{tier.key}",
                _("{tier}: the R and F ranges must lie within 1 to 5, low to high.").format(tier=tier.name),
            )
    no_purchase = definition.no_purchase_tier.strip()
    if no_purchase and no_purchase not in keys:
        check.fail(
            "no_purchase_tier",
            _("The tier for customers without purchases, {tier}, is not one of the tiers.").format(
                tier=no_purchase
            ),
        )
    graded = [t for t in tiers if t.key != no_purchase] or tiers
    if definition.method == WEIGHTED:
        # Highest bar first, so the first tier reached is the one given.
        tiers = sorted(graded, key=lambda t: -t.min_score) + [t for t in tiers if t not in graded]
    elif definition.method == ABC:
        shares = [t.up_to for t in graded]
        if any(b <= a for a, b in pairwise(shares)) or (shares and shares[-1] != 100):
            check.fail(
                "tiers",
                _("ABC: the cumulative shares must rise from tier to tier and the last must be 100 %."),
            )
    if check.errors:
        raise ValidationError(check.errors)
    return replace(definition, tiers=tuple(tiers), no_purchase_tier=no_purchase)
