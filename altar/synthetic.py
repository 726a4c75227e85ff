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
    "ace_emotional_abuse": 0.55,
    "ace_physical_abuse": 0.55,
    "ace_sexual_abuse": 0.18,
    "ace_emotional_neglect": 0.55,
    "ace_physical_neglect": 0.40,
    "ace_domestic_violence": 0.70,
    "ace_household_substance_misuse": 0.50,
    "ace_household_mental_illness": 0.50,
    "ace_parental_separation": 0.80,
    "ace_household_incarceration": 0.35,
    "criminal_exploitation": 0.40,
    "sexual_exploitation": 0.10,
    "community_violence_witnessed": 0.40,
    "bullying": 0.35,
    "victim_serious_violence": 0.45,
    "parent_death": 0.10,
    "other_bereavement": 0.35,
    "parent_contact_lost": 0.45,
    "pregnancy_loss": 0.04,
    "is_parent": 0.05,
    "conflict_migration": 0.06,
    "unaccompanied_asylum": 0.03,
    "excluded_primary": 0.15,
    "excluded_permanent": 0.45,
    "not_in_education": 0.40,
    "send": 0.45,
    "speech_language_needs": 0.35,
    "unmet_health_needs": 0.45,
    "mental_health_needs": 0.60,
    "substance_misuse": 0.55,
    "self_harm": 0.25,
    "parent_physical_illness": 0.25,
    "neurodivergence": 0.40,
    "traumatic_brain_injury": 0.10,
    "poverty": 0.70,
    "known_to_childrens_services": 0.90,
    "child_protection_plan": 0.45,
    "looked_after": 0.35,
    "unstable_housing": 0.35,
    "attachment_difficulties": 0.60,
    "trusted_adult": 0.55,
    "positive_activity": 0.40,
}
STRATUM_SHIFT = {"custody": 0.6, "community": 0.0, "out_of_court": -0.7}
GANG_LENS_BOOST = {
    "criminal_exploitation": 1.6,
    "community_violence_witnessed": 1.4,
    "victim_serious_violence": 1.0,
}
GIRLS_BOOST = {
    "ace_sexual_abuse": 1.4,
    "sexual_exploitation": 1.6,
    "self_harm": 1.0,
    "ace_emotional_abuse": 0.5,
}
# Items case files often leave undetermined.
UNKNOWN_RATE = {
    "ace_household_incarceration": 0.15,
    "pregnancy_loss": 0.25,
    "traumatic_brain_injury": 0.20,
    "parent_physical_illness": 0.15,
    "conflict_migration": 0.05,
}
DEFAULT_UNKNOWN = 0.06

# The demo sample: cases per authority in each cohort (about 110 in all).
DEMO_PLAN = {
    "main": {
        "birmingham": 10,
        "coventry": 10,
        "dudley": 10,
        "sandwell": 10,
        "solihull": 10,
        "walsall": 10,
        "wolverhampton": 10,
        "west_mercia": 10,
        "warwickshire": 6,
    },
    "gang_lens": {"birmingham": 8, "wolverhampton": 6, "sandwell": 5, "coventry": 5},
}
_ETHNICITY = (
    ("white", 55),
    ("black", 15),
    ("asian", 13),
    ("mixed", 12),
    ("other", 3),
    ("unknown", 2),
)
_SEX = (("male", 84), ("female", 14), ("unknown", 2))
_STRATUM = (("custody", 25), ("community", 45), ("out_of_court", 30))


def synthetic_rows(
    book: Codebook, *, plan: dict[str, dict[str, int]] | None = None, seed: int = 2021
) -> Iterator[dict[str, str]]:
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


def _child(
    rng: random.Random, book: Codebook, ref: str, authority: str, cohort: str
) -> dict[str, str]:
    stratum = _pick(rng, _STRATUM)
    sex = _pick(rng, _SEX)
    severity = rng.gauss(0.0, 1.0)
    row = {
        "case_ref": ref,
        "authority": authority,
        "stratum": stratum,
        "cohort": cohort,
        "sex": sex,
        "ethnicity": _pick(rng, _ETHNICITY),
        "age": "unknown"
        if rng.random() < 0.03
        else str(min(18, max(10, round(rng.gauss(16, 1.3))))),
        "screened_on": (date(2019, 9, 1) + timedelta(days=rng.randrange(540))).isoformat(),
    }
    for item in book.items:
        row[item.code] = _answer(
            rng, item.code, item.type, item.protective, severity, stratum, cohort, sex
        )
    return row


def _answer(
    rng: random.Random,
    code: str,
    kind: str,
    protective: bool,
    severity: float,
    stratum: str,
    cohort: str,
    sex: str,
) -> str:
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


# --- The qualitative case file: chronologies -------------------------------------------------

# (item that must be known or suspected, agency, event type, youngest age, oldest age, note)
_LIFE_EVENTS = (
    ("excluded_primary", "education", "exclusion", 7, 10, "Excluded from primary school"),
    ("excluded_permanent", "education", "exclusion", 12, 15, "Permanently excluded"),
    ("mental_health_needs", "health", "referral", 9, 16, "Referred to CAMHS"),
    ("speech_language_needs", "health", "assessment", 5, 14, "Speech and language assessment"),
    ("parent_death", "other", "bereavement", 3, 15, "Death of a parent"),
    ("other_bereavement", "other", "bereavement", 5, 16, "Death of a close family member"),
    ("criminal_exploitation", "police", "missing_episode", 12, 17, "Missing from home overnight"),
    ("unstable_housing", "housing", "referral", 4, 16, "Family placed in temporary accommodation"),
    ("poverty", "voluntary", "early_help", 2, 12, "Early help: family support worker"),
)
# Children's social care in the order it happens: (item, event type, note, years after the step before).
_SOCIAL_CARE = (
    (
        "known_to_childrens_services",
        "referral",
        "Referral: concerns about care at home",
        (0.0, 0.0),
    ),
    ("known_to_childrens_services", "assessment", "Single assessment completed", (0.05, 0.2)),
    ("child_protection_plan", "child_protection_plan", "Child protection plan made", (0.2, 3.0)),
    ("looked_after", "care_entry", "Became looked after", (0.5, 4.0)),
    ("looked_after", "placement_move", "Placement moved", (0.3, 2.0)),
)
_FIRST_DISPOSAL = {
    "custody": "court_outcome",
    "community": "court_outcome",
    "out_of_court": "caution",
}


def synthetic_chronology(
    rows: list[dict[str, str]], *, seed: int = 2021
) -> Iterator[dict[str, str]]:
    """Chronology rows (case_ref, date, agency, event_type, note) consistent
    with each synthetic child's screening: a care entry only for a child
    screened as looked after, a first offence a year or more before the
    screening, custody only in the custody stratum. Children of unknown age
    get no chronology (their ages at events could not be placed)."""
    rng = random.Random(seed)
    for row in rows:
        if row["age"] == "unknown" or rng.random() < 0.1:  # some case files hold no chronology
            continue
        yield from _chronology(rng, row)


def _chronology(rng: random.Random, row: dict[str, str]) -> Iterator[dict[str, str]]:
    screened, age = date.fromisoformat(row["screened_on"]), int(row["age"])

    def on(at_age: float) -> date:
        return screened - timedelta(days=round((age - at_age) * 365.25))

    def event(
        at: date, agency: str, kind: str, note: str, month_only: bool = False
    ) -> dict[str, str]:
        text = at.isoformat()[:7] if month_only else at.isoformat()
        return {
            "case_ref": row["case_ref"],
            "date": text,
            "agency": agency,
            "event_type": kind,
            "note": note,
        }

    events = []
    for item, agency, kind, youngest, oldest, note in _LIFE_EVENTS:
        if row.get(item) in ("yes", "suspected") and youngest < age:
            at = on(rng.uniform(youngest, min(oldest, age - 0.5)))
            events.append(event(at, agency, kind, note, month_only=rng.random() < 0.3))
    at_age = rng.uniform(0, max(0.5, age - 6))
    for item, kind, note, (soonest, latest) in _SOCIAL_CARE:
        at_age += rng.uniform(soonest, latest)
        if row.get(item) in ("yes", "suspected") and at_age < age - 0.1:
            events.append(event(on(at_age), "social_care", kind, note))
    moves = int(row.get("secondary_schools_count") or 1) - 1
    events += [
        event(on(rng.uniform(11, age - 0.5)), "education", "school_move", "Moved school")
        for _ in range(moves)
    ]
    first_offence = on(rng.uniform(max(10.0, age - 4), age - 1)) if age > 11 else on(age - 0.5)
    events.append(event(first_offence, "police", "arrest", "First arrest"))
    events.append(
        event(
            first_offence + timedelta(days=rng.randrange(20, 120)),
            "courts" if row["stratum"] != "out_of_court" else "youth_justice",
            _FIRST_DISPOSAL[row["stratum"]],
            "First outcome",
        )
    )
    if row["stratum"] == "custody":
        events.append(
            event(
                screened - timedelta(days=rng.randrange(30, 200)),
                "courts",
                "custody",
                "Custodial sentence",
            )
        )
    yield from sorted(events, key=lambda e: e["date"])


# --- The qualitative case file: stories and pen-pictures ---------------------------------------------

# (section, item known or suspected, sentence); a section with no sentence gets its fallback.
_STORY_LINES = (
    (
        "family",
        "ace_parental_separation",
        "Parents separated when the child was small; contact with one parent was lost.",
    ),
    (
        "family",
        "ace_domestic_violence",
        "Domestic abuse between the adults at home was recorded from the early years.",
    ),
    ("family", "poverty", "The family lived in poverty, with periods of debt and food insecurity."),
    (
        "abuse_loss_trauma",
        "ace_physical_abuse",
        "Physical abuse by a carer is recorded in the social care file.",
    ),
    (
        "abuse_loss_trauma",
        "ace_emotional_neglect",
        "Records describe emotional neglect over many years.",
    ),
    (
        "abuse_loss_trauma",
        "other_bereavement",
        "The death of a grandparent who had been a main carer was a turning point.",
    ),
    (
        "attachment_relationships",
        "attachment_difficulties",
        "Assessments describe insecure attachment and mistrust of adults.",
    ),
    (
        "attachment_relationships",
        "trusted_adult",
        "A youth worker became a trusted adult and has stayed in touch.",
    ),
    (
        "education",
        "excluded_primary",
        "Excluded from primary school, with no assessment of learning needs at the time.",
    ),
    (
        "education",
        "excluded_permanent",
        "Permanently excluded in Year 9 and not in full-time education since.",
    ),
    (
        "education",
        "speech_language_needs",
        "Speech and language needs were identified only after entering youth justice.",
    ),
    (
        "health_wellbeing",
        "mental_health_needs",
        "Referred to CAMHS twice; the first referral was closed after missed appointments.",
    ),
    ("health_wellbeing", "substance_misuse", "Regular cannabis use from the age of thirteen."),
    (
        "exploitation_offending",
        "criminal_exploitation",
        "Exploited by older young people to carry drugs; repeated missing episodes.",
    ),
    (
        "exploitation_offending",
        "victim_serious_violence",
        "Was stabbed a year before the current offence.",
    ),
    (
        "professional_involvements",
        "child_protection_plan",
        "Subject to a child protection plan for neglect in primary school years.",
    ),
    (
        "professional_involvements",
        "looked_after",
        "Became looked after at twelve; several placement moves followed.",
    ),
    (
        "strengths_resilience",
        "positive_activity",
        "Enjoys boxing and attends a local gym most weeks.",
    ),
)
_STORY_FALLBACK = {
    "family": "Lives with one parent and siblings.",
    "abuse_loss_trauma": "Nothing further recorded beyond the screening.",
    "attachment_relationships": "Relationships with family are described as close but strained.",
    "education": "Attended mainstream school with some fixed-term exclusions.",
    "health_wellbeing": "No health needs recorded.",
    "exploitation_offending": "First offence at fourteen; the current order followed.",
    "professional_involvements": "Known to early help services before youth justice.",
    "strengths_resilience": "Described by workers as caring towards younger siblings.",
    "child_voice": "Says nobody asked what was happening at home until the youth justice worker did.",
    "practitioner_reflections": "Earlier joint working between school and social care could have changed the path.",
}


def synthetic_story(row: dict[str, str]) -> dict[str, str]:
    """A short SYNTHETIC case story (section code -> text) built from a
    synthetic child's screening answers, in the template's ten sections."""
    lines: dict[str, list[str]] = {}
    for section, item, sentence in _STORY_LINES:
        if row.get(item) in ("yes", "suspected"):
            lines.setdefault(section, []).append(sentence)
    return {
        s: " ".join(lines.get(s, [fallback])) + " (SYNTHETIC)"
        for s, fallback in _STORY_FALLBACK.items()
    }


# Pen-pictures written for the demo: (title, body). Entirely SYNTHETIC.
SYNTHETIC_PEN_PICTURES = (
    (
        "Nobody asked who was caring for him",
        "He was known to children's social care from the age of two, when a neighbour reported shouting "
        "and a crying baby. Over the next ten years there were six referrals, two assessments and a child "
        "protection plan for neglect, each closed when the family moved.\n\nHe was excluded from primary "
        "school at nine. Nobody asked who was getting him up in the morning. By fourteen older boys were "
        "paying him to carry parcels; his first arrest was treated as a choice, not as exploitation. "
        "(SYNTHETIC)",
    ),
    (
        "A grandmother's death",
        "She lived with her grandmother, who had cared for her since her mother's illness. When her "
        "grandmother died she moved between relatives, missed most of Year 8 and began going missing at "
        "weekends.\n\nThe case story records four agencies involved in that year and no one who spoke "
        "to her about the loss. She says the youth justice worker was the first adult who did. (SYNTHETIC)",
    ),
    (
        "Excluded, then forgotten",
        "Permanently excluded at thirteen, he spent eighteen months on a part-time timetable of two hours "
        "a day. His speech and language needs were identified only after his first court appearance.\n\n"
        "He is proud of the boxing gym he now attends, and of the coach who turns up to his reviews. "
        "(SYNTHETIC)",
    ),
)
