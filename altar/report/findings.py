"""Key findings in words: numbers from the ``altar stats`` document turned
into the sentences a report leads with, in the research's own terms
("known or suspected").

Pure functions: plain numbers in, text out; no database, no markup. Every
count in a sentence goes through ``altar.disclosure`` with the report's
rule, and a withheld count is written as a range the ``c`` symbol already
conveys ("fewer than 6 of the 12 children"), never as a bare symbol.
Sentences never claim more than the sample supports: a difference is called
clear only when its (adjusted) p-value is below 0.05, and then only as
"unlikely to be chance", never as a cause.

>>> share(104, 110, Rule()).sentence("were known or suspected to have been abused")
'9 in 10 children were known or suspected to have been abused (104 of 110).'
>>> share(3, 12, Rule()).sentence("were looked after")
'Fewer than 6 of the 12 children were looked after.'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from altar.disclosure import ProtectedCount, Rule, protect
from altar.report.display import join_words, p_value, pct
from altar.stats import TrendTest
from altar.stats.document import ItemComparison

SIGNIFICANT = 0.05
ANSWERED = " whose records allowed a judgement"

# What it means to have each adversity, written to follow "were known or
# suspected to have". Items not listed fall back to their codebook label.
PHRASES: Mapping[str, str] = {
    "ace_emotional_abuse": "been emotionally abused",
    "ace_physical_abuse": "been physically abused",
    "ace_sexual_abuse": "been sexually abused",
    "ace_emotional_neglect": "been emotionally neglected",
    "ace_physical_neglect": "been physically neglected",
    "ace_domestic_violence": "lived with domestic violence",
    "ace_household_substance_misuse": "lived with a household member's substance misuse",
    "ace_household_mental_illness": "lived with a household member's mental illness",
    "ace_parental_separation": "experienced their parents' separation or divorce",
    "ace_household_incarceration": "had a household member in prison",
    "criminal_exploitation": "been criminally exploited",
    "sexual_exploitation": "been sexually exploited",
    "community_violence_witnessed": "witnessed street or gang violence",
    "bullying": "been bullied",
    "victim_serious_violence": "been victims of serious violence",
    "parent_death": "lost a parent or main carer to death",
    "other_bereavement": "suffered another significant bereavement",
    "parent_contact_lost": "lost contact with a parent",
    "pregnancy_loss": "experienced a termination or miscarriage",
    "is_parent": "become parents themselves",
    "conflict_migration": "come from a country affected by war or conflict",
    "unaccompanied_asylum": "arrived as unaccompanied asylum-seeking children",
    "excluded_primary": "been excluded from primary school",
    "excluded_permanent": "been permanently excluded from school",
    "not_in_education": "been out of full-time education",
    "send": "had special educational needs or disabilities",
    "speech_language_needs": "had speech, language and communication needs",
    "unmet_health_needs": "had unmet health needs",
    "mental_health_needs": "had mental health needs",
    "substance_misuse": "misused substances themselves",
    "self_harm": "self-harmed or attempted suicide",
    "parent_physical_illness": "had a parent with a serious physical illness or disability",
    "neurodivergence": "been neurodivergent",
    "traumatic_brain_injury": "had a traumatic brain injury",
    "poverty": "lived in poverty",
    "known_to_childrens_services": "had contact with children's social care",
    "child_protection_plan": "been subject to a child protection plan",
    "looked_after": "been looked after (in care)",
    "unstable_housing": "lived in unstable housing or been homeless",
    "attachment_difficulties": "had attachment difficulties",
}
# Protective factors: recorded (known) only, following "had".
PROTECTIVE_PHRASES: Mapping[str, str] = {
    "trusted_adult": "a trusted adult recorded in their files",
    "positive_activity": "a positive activity recorded in their files",
}
# Count items at their first threshold, following the share.
COUNT_PHRASES: Mapping[str, str] = {
    "exclusions_fixed_term_count": "had been suspended from school {times}",
    "secondary_schools_count": "had attended {t} or more secondary schools",
}
# Strata as a sentence names them.
STRATUM_PHRASES: Mapping[str, str] = {
    "custody": "in custody",
    "community": "on community sentences",
    "out_of_court": "given out-of-court disposals",
}


@dataclass(frozen=True)
class KeyFinding:
    """One key finding: a sentence, and a note (caution, source) printed beneath it."""

    text: str
    note: str = ""


@dataclass(frozen=True)
class Share:
    """How many of a group a sentence speaks of: a lead ("9 in 10 children")
    and a detail in brackets ("104 of 110"), empty when the lead says it all."""

    lead: str
    detail: str = ""

    def sentence(self, predicate: str) -> str:
        return f"{self.lead} {predicate}" + (f" ({self.detail})" if self.detail else "") + "."


def in_ten(count: int, total: int) -> str:
    """A natural frequency, as the research reported its findings.

    >>> in_ten(104, 110), in_ten(1, 110), in_ten(109, 110), in_ten(55, 110)
    ('9 in 10', 'fewer than 1 in 10', 'more than 9 in 10', '5 in 10')
    """
    if total <= 0 or not 0 <= count <= total:
        raise ValueError(f"need 0 <= count <= total and total > 0, got {count} of {total}")
    tenths = math.floor(10 * count / total + 0.5)
    if count < total and tenths >= 10:
        return "more than 9 in 10"
    if count > 0 and tenths <= 0:
        return "fewer than 1 in 10"
    return f"{tenths} in 10"


def share(count: int, total: int, rule: Rule, *, noun: str = "children", base: str = "") -> Share:
    """``count`` of ``total`` as the subject of a sentence, withheld as the
    rule requires. ``base`` qualifies the denominator (e.g. ``ANSWERED``).

    >>> share(12, 12, Rule()).lead, share(0, 40, Rule()).lead
    ('All 12 children', 'None of the 40 children')
    >>> share(8, 9, Rule(), noun="girls").lead
    'More than 3 of the 9 girls'
    >>> share(12, 18, Rule(min_denominator=20), noun="girls").lead
    '12 of the 18 girls'
    >>> share(77, 105, Rule(), base=ANSWERED).sentence("lived in poverty")
    '7 in 10 children lived in poverty (77 of 105 whose records allowed a judgement).'
    """
    fig = protect(count, total, rule)
    return share_of(fig, rule, noun=noun, base=base)


def share_of(fig: ProtectedCount, rule: Rule, *, noun: str = "children", base: str = "") -> Share:
    """``share`` for a figure already protected (e.g. a cell of a protected table)."""
    count, total = fig.count, fig.denominator
    if total is None:
        raise ValueError("a share needs a denominator")
    hidden_base = rule.enabled and fig.denominator_shown == rule.symbol
    of_the = (
        f"of the {noun}{base}" if hidden_base else f"of the {fig.denominator_shown} {noun}{base}"
    )
    if fig.suppressed:
        if fig.reason == "primary" or total - rule.threshold < 1:
            return Share(
                f"Fewer than {rule.threshold} {noun}{base}"
                if hidden_base
                else f"Fewer than {rule.threshold} {of_the}"
            )
        return Share(f"More than {total - rule.threshold} {of_the}")
    if total == 0:
        return Share(f"No {noun}{base}")
    if count == total:
        return Share(
            f"All {fig.denominator_shown} {noun}{base}"
            if not hidden_base
            else f"All the {noun}{base}"
        )
    if count == 0:
        return Share(f"None {of_the}")
    if fig.pct is None:
        return Share(f"{fig.shown} {of_the}")
    return Share(
        f"{_capital(in_ten(count, total))} {noun}", f"{fig.shown} of {fig.denominator_shown}{base}"
    )


def count_words(count: int, rule: Rule) -> str:
    """A bare count in a sentence: "fewer than 6" when the rule withholds it.

    >>> count_words(50, Rule()), count_words(4, Rule()), count_words(0, Rule())
    ('50', 'fewer than 6', '0')
    """
    fig = protect(count, None, rule)
    return f"fewer than {rule.threshold}" if fig.suppressed else fig.shown


def abuse_finding(
    any_known_or_suspected: int,
    any_known: int,
    n: int,
    types: Sequence[str],
    rule: Rule,
    *,
    region: str = "",
) -> KeyFinding:
    """How many were known or suspected to have been abused (any of the
    abuse types the ``abuse_types`` score counts).

    >>> abuse_finding(104, 98, 110, ["physical abuse", "neglect"], Rule()).text
    '9 in 10 children were known or suspected to have been abused (104 of 110).'
    """
    text = share(any_known_or_suspected, n, rule).sentence(
        "were known or suspected to have been abused"
    )
    known = share(any_known, n, rule)
    note = (
        f"Abuse here means any of: {join_words(types)}. On evidence alone (known, not suspected): "
        f"{_lower(known.lead)}{f' ({known.detail})' if known.detail else ''}."
    )
    return KeyFinding(_with_region(text, region), note)


def ace_finding(
    four_plus_ks: int,
    four_plus_known: int,
    n: int,
    n_aces: int,
    rule: Rule,
    baseline: BaselineFigure | None = None,
    *,
    region: str = "",
) -> KeyFinding:
    """Four or more ACEs, set against a general-population figure when one is given.

    >>> b = BaselineFigure(0.14, "Welsh ACE study (Bellis et al. 2015)", 9)
    >>> f = ace_finding(70, 50, 110, 10, Rule(), b)
    >>> f.text
    '6 in 10 children were known or suspected to have experienced four or more of the 10 ACEs (70 of 110), compared with 14% of adults in the general population (Welsh ACE study (Bellis et al. 2015)).'
    """
    predicate = f"were known or suspected to have experienced four or more of the {n_aces} ACEs"
    text = share(four_plus_ks, n, rule).sentence(predicate)
    if baseline is not None:
        text = (
            text[:-1]
            + f", compared with {pct(baseline.prevalence, 0)} of adults in the general population "
            f"({baseline.source})."
        )
    known = share(four_plus_known, n, rule)
    note = (
        f"On known ACEs alone: {_lower(known.lead)}{f' ({known.detail})' if known.detail else ''}."
    )
    if baseline is not None:
        counted = (
            ""
            if baseline.items_measured in (None, n_aces)
            else f", counted over {baseline.items_measured} ACEs"
        )
        note += (
            f" The general-population figure is adults' recall of their own childhood in a survey{counted}, "
            "not case records about children: the comparison is indicative only."
        )
    return KeyFinding(_with_region(text, region), note)


@dataclass(frozen=True)
class BaselineFigure:
    """A general-population prevalence with a short name of its source."""

    prevalence: float
    source: str
    items_measured: int | None = None


def extremes_finding(
    four_plus: int, none: int, rule: Rule, *, what: str = "types of abuse"
) -> KeyFinding:
    """The research's sharpest comparison: 4+ types of abuse against none.

    >>> extremes_finding(50, 6, Rule()).text
    'More children were known or suspected to have experienced four or more types of abuse (50) than none at all (6).'
    >>> extremes_finding(50, 3, Rule()).text
    'More children were known or suspected to have experienced four or more types of abuse (50) than none at all (fewer than 6).'
    """
    if four_plus > none:
        lead = "More"
    elif four_plus < none:
        lead = "Fewer"
    else:
        lead = "As many"
    than = "as" if four_plus == none else "than"
    return KeyFinding(
        f"{lead} children were known or suspected to have experienced four or more {what} "
        f"({count_words(four_plus, rule)}) {than} none at all ({count_words(none, rule)})."
    )


def item_finding(
    code: str, label: str, count: int, answered: int, rule: Rule, *, region: str = ""
) -> KeyFinding:
    """One adversity, known or suspected, of the children whose records answer it.

    >>> item_finding("poverty", "Poverty", 77, 105, Rule()).text
    '7 in 10 children were known or suspected to have lived in poverty (77 of 105 whose records allowed a judgement).'
    """
    phrase = PHRASES.get(code)
    predicate = (
        f"were known or suspected to have {phrase}"
        if phrase
        else f"had this known or suspected: {_lower(label)}"
    )
    return KeyFinding(
        _with_region(share(count, answered, rule, base=ANSWERED).sentence(predicate), region)
    )


def protective_finding(
    code: str, label: str, count: int, answered: int, rule: Rule, *, region: str = ""
) -> KeyFinding:
    """A protective factor, on evidence (known) only: it is never counted as adversity.

    >>> protective_finding("trusted_adult", "Has a trusted adult", 52, 100, Rule()).text
    '5 in 10 children had a trusted adult recorded in their files (52 of 100 whose records allowed a judgement).'
    """
    phrase = PROTECTIVE_PHRASES.get(code, f"this protective factor recorded: {_lower(label)}")
    text = share(count, answered, rule, base=ANSWERED).sentence(f"had {phrase}")
    return KeyFinding(_with_region(text, region), "A protective factor, not an adversity.")


def count_finding(
    code: str, label: str, threshold: int, count: int, n_known: int, rule: Rule, *, region: str = ""
) -> KeyFinding:
    """A count item at a threshold (e.g. three or more secondary schools).

    >>> count_finding("secondary_schools_count", "Secondary schools attended", 3, 37, 101, Rule()).text
    '4 in 10 children had attended 3 or more secondary schools (37 of 101 whose records allowed a judgement).'
    """
    template = COUNT_PHRASES.get(code, "had {label} of {t} or more")
    times = {1: "at least once", 2: "at least twice"}.get(threshold, f"{threshold} or more times")
    predicate = template.format(t=threshold, times=times, label=_lower(label))
    return KeyFinding(
        _with_region(share(count, n_known, rule, base=ANSWERED).sentence(predicate), region)
    )


@dataclass(frozen=True)
class GroupShare:
    """One group's figure in a comparison sentence: its key, how a sentence
    names it, and the figure (already protected)."""

    key: str
    words: str
    figure: ProtectedCount


def trend_finding(
    trend: TrendTest, shares: Sequence[GroupShare], *, what: str = "four or more ACEs"
) -> KeyFinding | None:
    """Whether ACE scores rise with the severity of the disposal (the
    linear-by-linear trend test across ordered strata), in words.

    >>> from altar.stats import linear_by_linear
    >>> r = protect
    >>> shares = [GroupShare("out_of_court", "given out-of-court disposals", r(10, 40)),
    ...           GroupShare("custody", "in custody", r(30, 40))]
    >>> trend_finding(linear_by_linear([[30, 10], [10, 30]]), shares).text
    'ACE scores were higher the more severe the disposal: four or more ACEs were known or suspected for 25.0% of children given out-of-court disposals and 75.0% of children in custody.'
    """
    if trend.test != "linear_by_linear" or trend.p is None:
        return None
    parts = join_words(
        [
            f"{s.figure.pct_shown} of children {s.words}"
            if s.figure.pct is not None
            else f"a share of children {s.words} withheld to protect confidentiality"
            for s in shares
        ]
    )
    p = trend.p
    if p < SIGNIFICANT:
        direction = "higher" if (trend.r or 0) > 0 else "lower"
        text = (
            f"ACE scores were {direction} the more severe the disposal: {what} were known or suspected for "
            f"{parts}."
        )
        note = (
            f"A trend this clear would be unlikely if the strata did not differ (linear-by-linear test, "
            f"p {_p(p)}). It shows an association, not that the disposal caused it."
        )
    else:
        text = f"ACE scores did not differ clearly between the strata: {what} were known or suspected for {parts}."
        note = (
            f"Linear-by-linear trend test, p {_p(p)}: with these numbers a real difference may exist "
            "but cannot be shown."
        )
    return KeyFinding(text, note)


def group_finding(
    group: GroupShare, others: GroupShare, predicate: str, *, caution: str = ""
) -> KeyFinding | None:
    """One group against the rest (e.g. girls against boys), stating the
    figures only: no test is claimed. None when the group's own figure is
    withheld: there is then nothing to say.

    >>> g = GroupShare("female", "girls", protect(9, 16))
    >>> b = GroupShare("male", "boys", protect(41, 92))
    >>> group_finding(g, b, "were known or suspected to have experienced four or more types of abuse").text
    '9 of 16 girls (56.2%) were known or suspected to have experienced four or more types of abuse, compared with 41 of 92 boys (44.6%).'
    """
    if group.figure.suppressed or group.figure.pct is None:
        return None
    text = f"{_capital(_phrase(group))} {predicate}, compared with {_phrase(others)}."
    return KeyFinding(text, caution)


def difference_words(
    comparison: ItemComparison, shares: Sequence[GroupShare], *, short: bool = False
) -> str:
    """A test of difference between groups in plain words, never claiming
    more than it shows (``short``: for a table that prints the p-values
    beside it).

    >>> from dataclasses import replace
    >>> from altar.stats import compare_proportions
    >>> test = compare_proportions([[30, 10], [10, 30]], labels=["custody", "out_of_court"])
    >>> c = ItemComparison("poverty", "Poverty", "known or suspected vs no", test, p_holm=0.003)
    >>> shares = [GroupShare("custody", "in custody", protect(30, 40)),
    ...           GroupShare("out_of_court", "out of court", protect(10, 40))]
    >>> difference_words(c, shares)
    'Clear difference: highest in custody (75.0%), lowest out of court (25.0%). Unlikely to be chance (adjusted p = 0.003).'
    >>> difference_words(c, shares, short=True)
    'Clear difference: highest in custody, lowest out of court'
    >>> difference_words(replace(c, p_holm=1.0), shares)
    'No clear difference (adjusted p = 1.00): the groups may differ, but these numbers cannot show it.'
    """
    p = comparison.p_holm
    if comparison.result.test == "not_testable" or p is None:
        reason = comparison.result.reason or "too few answers"
        return f"Not tested: {reason}" + ("" if short else ".")
    if p >= SIGNIFICANT:
        if short:
            return "No clear difference"
        return f"No clear difference (adjusted p {_p(p)}): the groups may differ, but these numbers cannot show it."
    shown = [(pct, s) for s in shares if (pct := s.figure.pct) is not None]
    if len(shown) < 2:
        return (
            "Clear difference; the figures are withheld"
            if short
            else (f"Clear difference (adjusted p {_p(p)}); the groups' figures are withheld.")
        )
    high = max(shown, key=lambda shown_pct: shown_pct[0])[1]
    low = min(shown, key=lambda shown_pct: shown_pct[0])[1]
    if short:
        return f"Clear difference: highest {high.words}, lowest {low.words}"
    return (
        f"Clear difference: highest {high.words} ({high.figure.pct_shown}), lowest {low.words} "
        f"({low.figure.pct_shown}). Unlikely to be chance (adjusted p {_p(p)})."
    )


def region_difference(
    label: str,
    local: ProtectedCount,
    ci: Sequence[float] | None,
    region_pct: float | None,
    local_name: str,
    region_name: str,
) -> str | None:
    """Where an authority's figure stands against the region's, in words.

    The test is the authority's own 95% interval (from its ``altar stats``
    document): a regional figure outside it is a difference this sample can
    show; one inside it is not. Withheld figures are never compared.

    >>> region_difference("Poverty", protect(16, 22), [0.52, 0.87], 0.45, "Dudley", "the region")
    "Poverty: higher in Dudley (72.7%) than in the region (45.0%); the regional figure lies outside Dudley's 95% interval (52.0\u201387.0%)."
    >>> region_difference("Poverty", protect(15, 22), [0.47, 0.84], 0.65, "Dudley", "the region") is None
    True
    """
    if local.pct is None or not ci or region_pct is None:
        return None
    low, high = ci
    if low <= region_pct <= high:
        return None
    direction = "higher" if local.pct > region_pct else "lower"
    return (
        f"{label}: {direction} in {local_name} ({local.pct_shown}) than in {region_name} ({pct(region_pct)}); "
        f"the regional figure lies outside {local_name}'s 95% interval ({100 * low:.1f}\u2013{100 * high:.1f}%)."
    )


def _phrase(group: GroupShare) -> str:
    f = group.figure
    if f.suppressed:
        return f"a withheld number of {group.words}"
    base = f"{f.shown} of {f.denominator_shown} {group.words}"
    return f"{base} ({f.pct_shown})" if f.pct is not None else base


def _with_region(text: str, region: str) -> str:
    return text if not region else f"{text[:-1]}; {region}."


def _p(p: float) -> str:
    shown = p_value(p)
    return shown if shown.startswith("<") else f"= {shown}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower(text: str) -> str:
    # Lower-case the first letter unless it starts a proper word (a number stays).
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
