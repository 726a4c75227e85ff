"""The words a case is recorded in: every vocabulary's codes, in the order
they are listed, and the label a reader sees for each.

This is the bottom of altar: it imports nothing, and everything that needs
a code or a label (the schema's CHECK constraints, the cell parsers, the
CLI's choices, the web forms, the reports, the synthetic cohort) reads it
from here, so a code is added or renamed in one place.

>>> STRATA
('custody', 'community', 'out_of_court')
>>> CASE_COLUMNS
('case_ref', 'authority', 'stratum', 'cohort', 'sex', 'ethnicity', 'age', 'screened_on')
>>> BREAKDOWNS
('stratum', 'authority', 'cohort', 'sex', 'ethnicity')
"""

from __future__ import annotations

# Sampling stratum: the child's disposal.
STRATUM_LABELS = {
    "custody": "Custody",
    "community": "Community sentence",
    "out_of_court": "Out-of-court disposal",
}
COHORT_LABELS = {"main": "Main sample", "gang_lens": "Gang-involved lens"}
# A report speaks of children, so its sex labels are boys and girls.
SEX_LABELS = {"male": "Boys", "female": "Girls", "other": "Other", "unknown": "Not recorded"}
ETHNICITY_LABELS = {
    "white": "White",
    "mixed": "Mixed or multiple",
    "asian": "Asian or Asian British",
    "black": "Black or Black British",
    "other": "Other ethnic group",
    "unknown": "Not recorded",
}
STRATA = tuple(STRATUM_LABELS)
COHORTS = tuple(COHORT_LABELS)
SEXES = tuple(SEX_LABELS)
ETHNICITIES = tuple(ETHNICITY_LABELS)
AGE_MIN, AGE_MAX = 10, 18

# The case's attributes, as the CSV contract, the forms and the tallies name them.
CASE_ATTRIBUTES = ("authority", "stratum", "cohort", "sex", "ethnicity", "age")
# The CSV contract's case columns, in file order.
CASE_COLUMNS = ("case_ref", *CASE_ATTRIBUTES, "screened_on")
# The attributes whose values are categories (age is a number).
CATEGORIES = tuple(a for a in CASE_ATTRIBUTES if a != "age")
# What `--by` may break the statistics down by: strata, the design's main split, first.
BREAKDOWNS = ("stratum", *(a for a in CATEGORIES if a != "stratum"))
# Each fixed vocabulary of a case attribute (authorities are the store's own list).
CODES: dict[str, tuple[str, ...]] = {
    "stratum": STRATA,
    "cohort": COHORTS,
    "sex": SEXES,
    "ethnicity": ETHNICITIES,
}
LABELS: dict[str, dict[str, str]] = {
    "stratum": STRATUM_LABELS,
    "cohort": COHORT_LABELS,
    "sex": SEX_LABELS,
    "ethnicity": ETHNICITY_LABELS,
}
# How a form names each column of a case and its screening.
COLUMN_LABELS = {
    "case_ref": "Case reference",
    "authority": "Authority",
    "stratum": "Stratum",
    "cohort": "Cohort",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
    "age": "Age",
    "screened_on": "Screening date",
    "screened_by": "Screened by",
}

SCREENING_STATUSES = ("in_progress", "complete")
# A case with no screening yet is "not started"; the store has no row for that.
STATUS_LABELS = {"not_started": "Not started", "in_progress": "In progress", "complete": "Complete"}
# Who may do what (altar.access): a practitioner works on one authority's cases.
ROLES = ("practitioner", "lead", "admin")

# Chronologies: the agencies a child meets and what happened. The labels are
# also accepted as input ("children's social care").
AGENCY_LABELS = {
    "social_care": "Children's social care",
    "education": "Education",
    "health": "Health",
    "police": "Police",
    "youth_justice": "Youth justice",
    "courts": "Courts",
    "housing": "Housing",
    "voluntary": "Voluntary sector",
    "other": "Other",
}
EVENT_TYPE_LABELS = {
    "referral": "Referral",
    "assessment": "Assessment",
    "early_help": "Early help",
    "child_in_need_plan": "Child in need plan",
    "child_protection_plan": "Child protection plan",
    "care_entry": "Entered care",
    "care_exit": "Left care",
    "placement_move": "Placement move",
    "exclusion": "Exclusion",
    "school_move": "School move",
    "missing_episode": "Missing episode",
    "bereavement": "Bereavement",
    "offence": "Offence",
    "arrest": "Arrest",
    "caution": "Caution",
    "court_outcome": "Court outcome",
    "custody": "Custody",
    "release": "Release",
    "other": "Other",
}
AGENCIES = tuple(AGENCY_LABELS)
EVENT_TYPES = tuple(EVENT_TYPE_LABELS)
# The event types that put a child's offending on record; the earliest is the first offence.
OFFENCE_TYPES = ("offence", "arrest", "caution", "court_outcome", "custody")
DATE_PRECISIONS = ("day", "month")
# What the identifying-detail check watches for besides the shipped lists.
IDENTIFIER_KINDS = ("name", "school")
