"""Chronology rules and derived measures as pure functions: typed events
judged, measures worked out by hand from small chronologies, and the
summary's median and quartiles checked against NumPy and the standard
library (Hyndman and Fan's type 7)."""

from __future__ import annotations

import doctest
import statistics
from datetime import date

import numpy as np
import pytest

import altar.charts.timeline
import altar.stories.chronology
import altar.stories.measures
from altar.stats.describe import describe, quantile
from altar.stories.chronology import (
    AGENCY_LABELS,
    EVENT_TYPE_LABELS,
    Event,
    parse_agency,
    parse_event_date,
    parse_event_type,
    parse_note,
    validate_event,
)
from altar.stories.measures import ChildMeasures, child_measures, months_between, summarise_measures
from altar.vocab import AGENCIES, EVENT_TYPES

TODAY = date(2024, 5, 10)
SCREENED = date(2021, 3, 4)


def ev(when: str, agency: str, event_type: str) -> Event:
    """An event from 'YYYY-MM' (month precision) or 'YYYY-MM-DD'."""
    if len(when) == 7:
        return Event(date.fromisoformat(when + "-01"), "month", agency, event_type)
    return Event(date.fromisoformat(when), "day", agency, event_type)


@pytest.mark.parametrize(
    "module", [altar.stories.chronology, altar.stories.measures, altar.charts.timeline]
)
def test_docstring_examples(module):
    # altar/stories is outside the doctest paths in pyproject.toml, so run them here.
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


# --- typed events ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-03", (date(2019, 3, 1), "month")),
        (" 2019-03-14 ", (date(2019, 3, 14), "day")),
        ("2024-05", (date(2024, 5, 1), "month")),  # this month: not in the future
        ("2024-05-10", (date(2024, 5, 10), "day")),
        ("1990-01", (date(1990, 1, 1), "month")),
    ],
)
def test_event_dates(text, expected):
    assert parse_event_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024-05-11", "future"),
        ("2024-06", "future"),
        ("1989-12-31", "before 1990"),
        ("2019-13", "not a date"),
        ("2019-02-30", "not a date"),
        ("20190314", "YYYY-MM-DD"),
        ("2019-W10-1", "YYYY-MM-DD"),
        ("14/03/2019", "YYYY-MM-DD"),
        ("2019-3", "YYYY-MM-DD"),
        ("", "YYYY-MM-DD"),
    ],
)
def test_bad_event_dates(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_event_date(text, today=TODAY)


def test_vocabularies_have_a_label_for_every_stored_code():
    assert tuple(AGENCY_LABELS) == AGENCIES and tuple(EVENT_TYPE_LABELS) == EVENT_TYPES


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("children's social care", "social_care"),
        ("Children’s Social Care", "social_care"),
        ("social_care", "social_care"),
        ("Youth justice", "youth_justice"),
        ("youth-justice", "youth_justice"),
        ("Voluntary sector", "voluntary"),
        ("YOT", "youth_justice"),
        ("EDUCATION", "education"),
    ],
)
def test_agencies_by_code_or_name(text, code):
    assert parse_agency(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("child protection plan", "child_protection_plan"),
        ("Court outcome", "court_outcome"),
        ("entered care", "care_entry"),
        ("missing episode", "missing_episode"),
        ("school_move", "school_move"),
    ],
)
def test_event_types_by_code_or_name(text, code):
    assert parse_event_type(text) == code


def test_unknown_agency_and_type_name_the_choices():
    with pytest.raises(ValueError, match="social_care, education"):
        parse_agency("fire service")
    with pytest.raises(ValueError, match="referral, assessment"):
        parse_event_type("detention")


def test_notes():
    assert parse_note("  first arrest ") == "first arrest" and parse_note("") is None
    assert parse_note("x" * 500) == "x" * 500
    with pytest.raises(ValueError, match="501 characters"):
        parse_note("x" * 501)
    with pytest.raises(ValueError, match="one line"):
        parse_note("first line\nsecond line")


def test_validate_event_reports_every_problem_with_its_row():
    event, problems = validate_event(
        {"date": "2099-01", "agency": "fire", "event_type": ""}, row_number=7, today=TODAY
    )
    assert event is None
    assert [(p.row, p.column) for p in problems] == [(7, "date"), (7, "agency"), (7, "event_type")]
    assert str(problems[2]) == "row 7, column event_type: '': event type is required"
    good, none = validate_event(
        {"date": "2019-03", "agency": "Education", "event_type": "Exclusion", "note": " x "},
        today=TODAY,
    )
    assert none == [] and good == Event(date(2019, 3, 1), "month", "education", "exclusion", "x")
    assert good.describe() == "2019-03 education exclusion: x"


# --- measures, worked by hand ----------------------------------------------------------------------------------


def test_months_between():
    assert months_between(date(2010, 3, 1), date(2021, 3, 4)) == 132
    assert months_between(date(2011, 6, 15), date(2021, 3, 4)) == 116  # 117 months less a day short
    assert months_between(date(2021, 3, 4), date(2021, 4, 4)) == 1
    assert months_between(date(2021, 3, 4), date(2021, 4, 3)) == 0
    assert months_between(date(2021, 3, 4), date(2020, 3, 4)) == -12


def test_a_full_chronology():
    events = [
        ev("2019-06-20", "courts", "court_outcome"),  # given out of order on purpose
        ev("2010-03", "social_care", "referral"),
        ev("2012-06-14", "social_care", "child_protection_plan"),
        ev("2016-09", "education", "exclusion"),
        ev("2017-01-10", "education", "school_move"),
        ev("2017-03", "education", "exclusion"),
        ev("2018-11-02", "education", "school_move"),
        ev("2019-03-04", "police", "arrest"),
        ev("2019-08", "education", "exclusion"),  # after the first offence
    ]
    m = child_measures(events, age=15, screened_on=SCREENED)
    # First social care event 2010-03-01, screening 2021-03-04: 132 months = 11 years; 15 - 11 = 4.
    assert m.age_first_social_care == pytest.approx(4.0)
    assert m.agencies == 4  # social care, education, police, courts
    # First offence: the arrest on 2019-03-04. Before it: exclusions 2016-09 and 2017-03, moves 2017-01 and 2018-11.
    assert (m.school_moves_before_offence, m.exclusions_before_offence) == (2, 2)
    # First agency contact 2010-03-01 to 2019-03-04: 108 whole months = 9 years.
    assert m.years_contact_to_offence == pytest.approx(9.0)


def test_no_chronology_means_every_measure_is_missing():
    assert child_measures([], age=15, screened_on=SCREENED) == ChildMeasures()


def test_no_offence_leaves_the_offence_measures_missing():
    m = child_measures(
        [ev("2015-05-05", "social_care", "referral"), ev("2016-01", "education", "exclusion")],
        14,
        SCREENED,
    )
    # 2015-05-05 to 2021-03-04: 69 whole months (70 less a day short) = 5.75 years; 14 - 5.75.
    assert m.age_first_social_care == pytest.approx(8.25)
    assert m.agencies == 2
    assert (
        m.school_moves_before_offence,
        m.exclusions_before_offence,
        m.years_contact_to_offence,
    ) == (None,) * 3


def test_unknown_age_or_no_social_care_leaves_the_age_missing():
    events = [ev("2015-05-05", "social_care", "referral"), ev("2018-01-01", "police", "caution")]
    assert child_measures(events, age=None, screened_on=SCREENED).age_first_social_care is None
    only_police = child_measures(events[1:], age=15, screened_on=SCREENED)
    assert only_police.age_first_social_care is None
    # The caution is both first contact and first offence.
    assert (only_police.years_contact_to_offence, only_police.exclusions_before_offence) == (0.0, 0)


def test_same_month_is_not_certainly_before():
    offence = ev("2019-03-15", "police", "offence")
    same_month = [
        ev("2019-03", "education", "exclusion"),
        ev("2019-03-02", "education", "school_move"),
        offence,
    ]
    m = child_measures(same_month, 15, SCREENED)
    # The month-precision exclusion may have been after the 15th: not counted. The move on the 2nd was before.
    assert (m.exclusions_before_offence, m.school_moves_before_offence) == (0, 1)
    same_day = child_measures([ev("2019-03-15", "education", "exclusion"), offence], 15, SCREENED)
    assert same_day.exclusions_before_offence == 0


def test_a_pre_birth_event_gives_a_negative_age():
    m = child_measures([ev("2005-09", "social_care", "assessment")], age=15, screened_on=SCREENED)
    # 2005-09-01 to 2021-03-04: 186 months = 15.5 years; 15 - 15.5: half a year before birth (by this estimate).
    assert m.age_first_social_care == pytest.approx(-0.5)


def test_summary_counts_children_without_a_value_as_missing():
    children = [
        child_measures(
            [ev("2010-03", "social_care", "referral"), ev("2019-03-04", "police", "arrest")],
            15,
            SCREENED,
        ),
        child_measures([ev("2012-03", "social_care", "referral")], 15, SCREENED),
    ]
    figures = summarise_measures(children, n=5)
    assert (figures["n"], figures["n_with_chronology"]) == (5, 2)
    age = figures["measures"]["age_first_social_care"]
    assert (age["n"], age["missing"], age["median"], age["min"], age["max"]) == (
        2,
        3,
        5.0,
        4.0,
        6.0,
    )
    years = figures["measures"]["years_contact_to_offence"]
    assert (years["n"], years["missing"], years["median"]) == (1, 4, 9.0)
    assert summarise_measures([], n=3)["measures"]["agencies"] == {
        "n": 0,
        "missing": 3,
        "median": None,
        "q1": None,
        "q3": None,
        "mean": None,
        "min": None,
        "max": None,
    }
    with pytest.raises(ValueError):
        summarise_measures(children, n=1)


# --- the summary statistics against NumPy and the standard library ---------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        [7],
        [3, 1],
        [1, 2, 4, 7],
        [4.0, 8.25, 1.5, 9.0, 3.75],
        [0, 0, 1, 1, 1, 2, 5, 13],
        list(range(20, 0, -3)),
        [-0.5, 2.25, 2.25, 6.0, 11.0, 11.5, 12.0],
    ],
)
def test_describe_matches_numpy_and_statistics(values):
    d = describe(values, missing=2)
    assert d.n == len(values) and d.missing == 2
    q1, median, q3 = np.percentile(values, [25, 50, 75])  # NumPy's default: linear, type 7
    assert (d.q1, d.median, d.q3) == pytest.approx((q1, median, q3), abs=1e-12)
    assert d.median == pytest.approx(statistics.median(values), abs=1e-12)
    if len(values) > 1:
        inclusive = statistics.quantiles(values, n=4, method="inclusive")
        assert [d.q1, d.median, d.q3] == pytest.approx(inclusive, abs=1e-12)
    assert (d.mean, d.min, d.max) == pytest.approx(
        (statistics.fmean(values), min(values), max(values))
    )


def test_describe_with_no_values_and_bad_input():
    assert describe([], missing=4).to_dict() == {
        "n": 0,
        "missing": 4,
        "median": None,
        "q1": None,
        "q3": None,
        "mean": None,
        "min": None,
        "max": None,
    }
    for bad in ([True], [float("nan")], ["3"]):
        with pytest.raises(ValueError):
            describe(bad)
    with pytest.raises(ValueError):
        describe([1], missing=-1)
    with pytest.raises(ValueError):
        quantile([1, 2], 1.5)
