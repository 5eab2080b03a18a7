"""Red / amber / green ratings by the rule an admin set on each indicator.

One banding serves both comparisons. The *worsening* is how far the latest figure is on
the wrong side of its comparator, in the indicator's bad direction (up for
lower-is-better, down for higher-is-better):

* ``previous_year``: against the same period a year earlier;
* ``target``: against the period's target (meeting or beating the target is Green).

With ``band_kind="percent"`` the worsening is relative to the comparator (3.10 → 3.53 is
13.9% worse); with ``"absolute"`` it is in the indicator's unit (percentage points for a
percentage). Worse by at most ``green_within`` → G, at most ``amber_within`` → A, more → R;
any improvement → G.

Leicestershire's 2015/16 Q4 dashboard is reproduced by ``previous_year`` with percent
bands 2 / 10 on every indicator, percentages included. Its percentage indicators cannot
tell the two readings apart: three improved (Green either way) and ASB victims
5.3% → 5.4% is 1.9% worse relatively or 0.1 points absolutely, Green either way. The
paper's own note quotes "+1.9%", so the relative reading is the documented one; an
admin who wants points chooses ``band_kind="absolute"``.

Table 2 (outcome measures against target) is rated with ``target`` and
``TABLE_2_RULE``: meeting the target is Green, falling short by at most 5% of the target
Amber, further Red.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from app.indicators.year_change import round_half_up
from app.indicators.model import (
    IndicatorSpec,
    RagResult,
    RagRule,
    is_missing,
)
from app.vocabulary import FLAGS_WITHOUT_VALUE, RAG_NAMES, RAGS

# The Leicestershire rule: improved or worse by ≤ 2% green, ≤ 10% amber, above red.
LEICESTERSHIRE_RULE = RagRule(method="previous_year", band_kind="percent", green_within=2, amber_within=10)
# Target rule used for Table 2: met → G; short by at most 5% of the target → A; else R.
TABLE_2_RULE = RagRule(method="target", band_kind="percent", green_within=0, amber_within=5)

NO_FIGURE = "There is no figure for this period, so it is not rated."
# Figures are compared after rounding away float noise (2.0000000001% is 2%).
_NOISE_DECIMALS = 9
# The largest difference written out in a reason; a larger one is "more than" this.
_LARGEST_SHOWN = 1e12


@lru_cache(maxsize=8192)
def _number(x: float, decimals: int = 1) -> str:
    """1,234.5 style, rounded half away from zero, without trailing zeros. (Cached: band
    limits and targets repeat across a dashboard.)"""
    text = f"{float(round_half_up(x, decimals)):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def band(worsening: float, rule: RagRule) -> str:
    """G, A or R for a worsening (≤ 0 means no worse)."""
    worsening = round(worsening, _NOISE_DECIMALS)
    if worsening <= rule.green_within:
        return "G"
    if worsening <= rule.amber_within:
        return "A"
    return "R"


def _band_text(worsening: float, rule: RagRule, unit_text: str) -> str:
    rag = band(worsening, rule)
    if rag == "G":
        return f"within {_number(rule.green_within)}{unit_text}"
    if rag == "A" and rule.green_within == 0:
        return f"within {_number(rule.amber_within)}{unit_text}"
    if rag == "A":
        return f"more than {_number(rule.green_within)}{unit_text}, within {_number(rule.amber_within)}{unit_text}"
    return f"more than {_number(rule.amber_within)}{unit_text}"


def never_rated(spec: IndicatorSpec) -> str | None:
    """Why no figure of this indicator is ever rated (whatever the figures), or None."""
    rule = spec.rag
    if rule.method == "none":
        return "No RAG rule is set for this indicator."
    if rule.method == "manual":
        return "This indicator is rated by hand; the manager's rating is kept with the commentary."
    if spec.polarity == "neutral":
        return "This indicator is monitored only (neither higher nor lower is better), so it has no RAG."
    return None


def _unavailable(spec: IndicatorSpec, latest, flag: str, previous_flag: str | None) -> str | None:
    """Why there is no rating at all, or None if the figures can be rated."""
    rule = spec.rag
    never = never_rated(spec)
    if never:
        return never
    if is_missing(latest) or flag in FLAGS_WITHOUT_VALUE:
        return NO_FIGURE
    if not rule.rate_estimates and "estimate" in (flag, previous_flag):
        which = "latest" if flag == "estimate" else "previous year's"
        return f"The {which} figure is an estimate, so it is not rated."
    return None


NO_PREVIOUS = "There is no figure for the same period last year, so it is not rated."
LAST_YEAR = "last year"


def with_tolerance(rule: RagRule, tolerance) -> RagRule:
    """The bands for rating against a target with its own tolerance (its amber band): short
    of the target by at most ``tolerance`` is Amber, measured as the rule's bands are (per
    cent of the target, or in the indicator's unit), in place of the indicator's amber
    band; a wider green band narrows to it. No tolerance: the rule unchanged."""
    if is_missing(tolerance):
        return rule
    tolerance = float(tolerance)
    return replace(rule, green_within=min(rule.green_within, tolerance), amber_within=tolerance)


def rate(
    spec: IndicatorSpec,
    latest,
    previous=None,
    target=None,
    flag: str = "actual",
    previous_flag: str | None = "actual",
    against_previous: str = LAST_YEAR,
    tolerance=None,
) -> RagResult:
    """Rate ``latest`` by ``spec.rag`` and ``spec.polarity``; ``reason`` says why in a sentence.
    ``tolerance``: the target's own amber band, if it has one (``with_tolerance``), used
    whenever the figure is rated against the target.

    ``previous`` is the figure it is compared with (``rows.choose_periods``), named in the
    reason by ``against_previous`` ("last year", or "the latest earlier figure (2014/15)"
    for an indicator compared with its latest earlier figure). Under ``previous_year``
    with no such figure the rating falls back to the target if there is one, and is
    otherwise not given ("no figure for the same period last year").

    Returns ``rag=None`` (with the reason) for rules ``none`` and ``manual``, neutral
    polarity, missing figures, estimates (unless the rule rates them), and when the
    comparator is missing or zero under a percentage band."""
    why_not = _unavailable(spec, latest, flag, previous_flag)
    if why_not:
        return RagResult(None, why_not)
    rule = spec.rag
    prefix = ""
    against_target = rule.method != "previous_year"
    if not against_target and (is_missing(previous) or previous_flag in FLAGS_WITHOUT_VALUE):
        if is_missing(target):
            return RagResult(None, NO_PREVIOUS)
        against_target, prefix = True, "No figure for the same period last year, so rated against the target. "
    if against_target:
        rule = with_tolerance(rule, tolerance)
        if is_missing(target):
            return RagResult(None, "No target is set for this period, so it is not rated.")
        comparator, against = target, f"the target of {_number(float(target), spec.decimals)}"
    else:
        comparator, against = previous, against_previous
    comparator = float(comparator)
    worsening = float(latest) - comparator
    if spec.polarity == "higher_is_better":
        worsening = -worsening
    if rule.band_kind == "percent":
        if comparator == 0:
            return RagResult(
                None, f"{prefix}A percentage band cannot be measured against zero ({against}); use an absolute band."
            )
        worsening = worsening / abs(comparator) * 100.0
        unit_text = "%"
    else:
        unit_text = " percentage points" if spec.unit == "percent" else ""
    rag = band(worsening, rule)
    colour = RAG_NAMES[rag]
    # A comparator next to zero makes the relative change astronomical (or infinite): said, not printed in full.
    beyond = abs(worsening) > _LARGEST_SHOWN
    size = ("more than " if beyond else "") + _number(
        min(abs(worsening), _LARGEST_SHOWN), 1 if rule.band_kind == "percent" else max(spec.decimals, 1)) + unit_text
    if round(worsening, _NOISE_DECIMALS) == 0:
        return RagResult(rag, f"{prefix}{'Meets' if against_target else 'Same as'} {against}: {colour}")
    if worsening < 0:
        return RagResult(rag, f"{prefix}Better than {against} by {size}: {colour}")
    verb = "Short of" if against_target else "Worse than"
    return RagResult(rag, f"{prefix}{verb} {against} by {size} ({_band_text(worsening, rule, unit_text)}): {colour}")


def apply_override(result: RagResult, override_rag: str, reason: str) -> RagResult:
    """A manager's override: the new rating, marked overridden, with the calculated result kept."""
    if override_rag not in RAGS:
        raise ValueError("Choose Red, Amber or Green for the override.")
    if not reason or not reason.strip():
        raise ValueError("Give a reason for overriding the RAG: it is shown beside the rating and audited.")
    original = result.original if result.overridden else result
    calculated = RAG_NAMES.get(original.rag, "not rated")
    return RagResult(
        override_rag,
        f"Set to {RAG_NAMES[override_rag]} by a manager: {reason.strip()} (calculated: {calculated}).",
        overridden=True,
        original=original,
    )


def outcome_rag(indicator_rags) -> RagResult:
    """An outcome's overall RAG from its indicators' RAGs (unrated ones are left out).

    Rule: nothing rated → none; every rated indicator Green → Green; more than half Red →
    Red; any other mix → Amber. Leicestershire: "Ongoing reductions in crime" (A, R, R, G)
    → Amber (2 of 4 Red is not a majority); the re-offending outcome (G, G, G) → Green.
    The Prevent outcome's published Amber (its one indicator is Red) is a manager's
    override, recorded with ``apply_override``: its comment says the indicators do not
    yet cover the priority.
    """
    rated = [r for r in indicator_rags if r in RAGS]
    if not rated:
        return RagResult(None, "None of its indicators is rated.")
    reds, greens, total = rated.count("R"), rated.count("G"), len(rated)
    counts = ", ".join(f"{n} {RAG_NAMES[r]}" for r, n in (("R", reds), ("A", rated.count("A")), ("G", greens)) if n)
    if greens == total:
        return RagResult("G", f"All {total} rated indicators are Green: Green.")
    if reds * 2 > total:
        return RagResult("R", f"Most rated indicators are Red ({counts}; {total} rated): Red.")
    return RagResult("A", f"A mix of ratings ({counts}; {total} rated), Red not a majority: Amber.")


# ---- the RAG summary (Dashboard sheet, report, web dashboard) -------------------------------


def rag_counts(letters) -> dict[str | None, int]:
    """How many of ``letters`` are "R", "A", "G" and None (not rated)."""
    counts: dict[str | None, int] = {"R": 0, "A": 0, "G": 0, None: 0}
    for letter in letters:
        counts[letter] += 1
    return counts


def most_reds_first(items, counts_of) -> list:
    """``items`` ordered by their counts (``counts_of(item)``, from ``rag_counts``): the
    most reds first, then the most ambers; ties keep their order."""
    return sorted(items, key=lambda item: (-counts_of(item)["R"], -counts_of(item)["A"]))
