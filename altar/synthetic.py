"""A SYNTHETIC cohort for demonstrations, tests and benchmarks.

No row describes a real child. Prevalences are set near what the published
Punishing Abuse summaries reported (e.g. about 9 in 10 known or suspected to
have been abused, 7 in 10 living with domestic violence or in poverty), with
a per-child severity so adversities cluster as they do in real caseloads,
custody above community above out-of-court, and some unknowns.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date, timedelta

from altar.instrument import Codebook

# Known-or-suspected rate in the main sample's community stratum.
BASE_RATE = {
    "ace_emotional_abuse": 0.55, "ace_physical_abuse": 0.55, "ace_sexual_abuse": 0.18,
    "ace_emotional_neglect": 0.55, "ace_physical_neglect": 0.40, "ace_domestic_violence": 0.70,
    "ace_household_substance_misuse": 0.50, "ace_household_mental_illness": 0.50,
    "ace_parental_separation": 0.80, "ace_household_incarceration": 0.35,
    "criminal_exploitation": 0.40, "sexual_exploitation": 0.10, "community_violence_witnessed": 0.40,
    "bullying": 0.35, "victim_serious_violence": 0.45,
    "parent_death": 0.10, "other_bereavement": 0.35, "parent_contact_lost": 0.45,
    "pregnancy_loss": 0.04, "is_parent": 0.05,
    "conflict_migration": 0.06, "unaccompanied_asylum": 0.03,
    "excluded_primary": 0.15, "excluded_permanent": 0.45, "not_in_education": 0.40, "send": 0.45,
    "speech_language_needs": 0.35,
    "unmet_health_needs": 0.45, "mental_health_needs": 0.60, "substance_misuse": 0.55, "self_harm": 0.25,
    "parent_physical_illness": 0.25, "neurodivergence": 0.40, "traumatic_brain_injury": 0.10,
    "poverty": 0.70, "known_to_childrens_services": 0.90, "child_protection_plan": 0.45,
    "looked_after": 0.35, "unstable_housing": 0.35,
    "attachment_difficulties": 0.60, "trusted_adult": 0.55, "positive_activity": 0.40,
}  # fmt: skip
STRATUM_SHIFT = {"custody": 0.6, "community": 0.0, "out_of_court": -0.7}
GANG_LENS_BOOST = {"criminal_exploitation": 1.6, "community_violence_witnessed": 1.4, "victim_serious_violence": 1.0}
GIRLS_BOOST = {"ace_sexual_abuse": 1.4, "sexual_exploitation": 1.6, "self_harm": 1.0, "ace_emotional_abuse": 0.5}
# Items case files often leave undetermined.
UNKNOWN_RATE = {"ace_household_incarceration": 0.15, "pregnancy_loss": 0.25, "traumatic_brain_injury": 0.20,
                "parent_physical_illness": 0.15, "conflict_migration": 0.05}  # fmt: skip
DEFAULT_UNKNOWN = 0.06

# The demo sample: cases per authority in each cohort (about 110 in all).
DEMO_PLAN = {
    "main": {"birmingham": 10, "coventry": 10, "dudley": 10, "sandwell": 10, "solihull": 10, "walsall": 10,
             "wolverhampton": 10, "west_mercia": 10, "warwickshire": 6},
    "gang_lens": {"birmingham": 8, "wolverhampton": 6, "sandwell": 5, "coventry": 5},
}  # fmt: skip
_ETHNICITY = (("white", 55), ("black", 15), ("asian", 13), ("mixed", 12), ("other", 3), ("unknown", 2))
_SEX = (("male", 84), ("female", 14), ("unknown", 2))
_STRATUM = (("custody", 25), ("community", 45), ("out_of_court", 30))


def synthetic_rows(book: Codebook, *, plan: dict[str, dict[str, int]] | None = None, seed: int = 2021) -> Iterator[dict[str, str]]:
    """Rows in the import's CSV contract for the cohort ``plan`` describes."""
    rng = random.Random(seed)
    for cohort, per_authority in (plan or DEMO_PLAN).items():
        for authority, n in per_authority.items():
            for i in range(1, n + 1):
                ref = f"SYN-{authority[:3].upper()}-{'G' if cohort == 'gang_lens' else 'M'}{i:03d}"
                yield _child(rng, book, ref, authority, cohort)


def scaled_rows(book: Codebook, n: int, *, seed: int = 2021) -> Iterator[dict[str, str]]:
    """``n`` synthetic rows spread over the nine seeded authorities (for benchmarks)."""
    rng = random.Random(seed)
    authorities = list(DEMO_PLAN["main"])
    for i in range(n):
        cohort = "gang_lens" if rng.random() < 0.2 else "main"
        yield _child(rng, book, f"SYN-{i:07d}", authorities[i % len(authorities)], cohort)


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _child(rng: random.Random, book: Codebook, ref: str, authority: str, cohort: str) -> dict[str, str]:
    stratum = _pick(rng, _STRATUM)
    sex = _pick(rng, _SEX)
    severity = rng.gauss(0.0, 1.0)
    row = {
        "case_ref": ref, "authority": authority, "stratum": stratum, "cohort": cohort, "sex": sex,
        "ethnicity": _pick(rng, _ETHNICITY),
        "age": "unknown" if rng.random() < 0.03 else str(min(18, max(10, round(rng.gauss(16, 1.3))))),
        "screened_on": (date(2019, 9, 1) + timedelta(days=rng.randrange(540))).isoformat(),
    }  # fmt: skip
    for item in book.items:
        row[item.code] = _answer(rng, item.code, item.type, item.protective, severity, stratum, cohort, sex)
    return row


def _answer(rng: random.Random, code: str, kind: str, protective: bool, severity: float, stratum: str,
            cohort: str, sex: str) -> str:  # fmt: skip
    if rng.random() < UNKNOWN_RATE.get(code, DEFAULT_UNKNOWN):
        return "" if kind == "count" or rng.random() < 0.5 else "unknown"
    load = severity + STRATUM_SHIFT[stratum]
    if kind == "count":
        return _count(rng, code, load)
    logit = _logit(BASE_RATE.get(code, 0.2)) + (-0.6 if protective else 0.9) * load
    logit += GANG_LENS_BOOST.get(code, 0.0) if cohort == "gang_lens" else 0.0
    logit += GIRLS_BOOST.get(code, 0.0) if sex == "female" else 0.0
    if rng.random() >= 1 / (1 + math.exp(-logit)):
        return "no"
    # Evidenced more often than merely suspected; protective factors are observed, not suspected.
    return "yes" if protective or rng.random() < 0.72 else "suspected"


def _count(rng: random.Random, code: str, load: float) -> str:
    if code == "secondary_schools_count":
        return str(min(14, 1 + _poisson(rng, math.exp(0.2 + 0.45 * load))))
    return str(min(60, _poisson(rng, math.exp(1.3 + 0.6 * load))))


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small means used here.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _logit(p: float) -> float:
    return math.log(p / (1 - p))
