"""The identifying-detail check on story text (pure: no database)."""

from __future__ import annotations

import hashlib

import pytest

from altar.identifiers import (
    IdentifierMatch,
    Watchlist,
    find_identifying_details,
    name_digest,
    shipped_first_names,
)

# A project's own terms, as `altar story terms add` would store them: names only as digests.
PROJECT = Watchlist(
    first_names=shipped_first_names(),
    name_digests=frozenset(
        {hashlib.sha256(b"okafor").hexdigest(), hashlib.sha256(b"kai okafor").hexdigest()}
    ),
    schools=("Oakfield High",),
)


def _found(text: str, watch: Watchlist = PROJECT) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_identifying_details({"family": text}, watch)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Kai moved in with his nan.", [("name", "Kai")]),
        ("Jayden's mum asked for help.", [("name", "Jayden")]),
        ("Mr Okafor was arrested.", [("name", "Okafor")]),
        ("Kai Okafor's older brother", [("name", "Kai Okafor")]),
        ("He was born on 12/03/2009 in Dudley.", [("date_of_birth", "12/03/2009")]),
        ("DOB: 12.03.2009", [("date_of_birth", "12.03.2009")]),
        ("d.o.b. 12 March 2009", [("date_of_birth", "12 March 2009")]),
        ("Date of birth 2009-03-12.", [("date_of_birth", "2009-03-12")]),
        (
            "On her birthday, 3rd of June 2008, she ran away.",
            [("date_of_birth", "3rd of June 2008")],
        ),
        ("born March 12, 2009", [("date_of_birth", "March 12, 2009")]),
        ("The family lived at B23 6TH until 2015.", [("postcode", "B23 6TH")]),
        ("Moved to WV10 9QZ.", [("postcode", "WV10 9QZ")]),
        ("Mum's number is 07700 900123.", [("phone", "07700 900123")]),
        (
            "Ring +44 7700 900123 or 0121 496 0000",
            [("phone", "+44 7700 900123"), ("phone", "0121 496 0000")],
        ),
        ("call +44 (0)20 7946 0000.", [("phone", "+44 (0)20 7946 0000")]),
        ("Emailed kai.o+yot@example.org.uk twice", [("email", "kai.o+yot@example.org.uk")]),
        ("Excluded from Oakfield high in Year 9.", [("school", "Oakfield high")]),
        (
            "Then St Mary's Catholic Primary School.",
            [("school", "St Mary's Catholic Primary School")],
        ),
        ("A managed move to Park Hall Academy.", [("school", "Park Hall Academy")]),
    ],
)
def test_obvious_identifying_details_are_caught(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "She moved to a new school in Year 7.",
        "Mum's partner moved in at Christmas.",
        "Will he be safe when he goes home?",
        "May was the month it all went wrong; in June he was arrested.",
        "Grace, hope and joy were not words the records used.",
        "On 12 March 2019 he was arrested for robbery.",  # a date, but not a date of birth
        "He was born in Sandwell and was 14 in 2023.",
        "The Virtual School head and the Pupil Referral Unit; later a Sixth Form College.",
        "Referred to CAMHS at 11; the YOT and MASH were involved. Section 47 enquiries followed.",
        "Dad served 18 months; 3 fixed-term exclusions in Year 8; 12/40 sessions attended.",
        'She said: "nobody listened to me".',
        "kai and jack in lower case are not names to this check.",
    ],
)
def test_ordinary_story_prose_is_not_flagged(text):
    assert _found(text) == []


def test_findings_name_section_and_line_within_the_section():
    findings = find_identifying_details(
        {"family": "Lived with Mum.\nHer brother Tyler was 17.", "education": "\n\nDOB 01/02/2008"},
        PROJECT,
    )
    assert findings == [
        IdentifierMatch("name", "family", 2, "Tyler"),
        IdentifierMatch("date_of_birth", "education", 3, "01/02/2008"),
    ]
    assert str(findings[0]) == "section family, line 2: name 'Tyler'"


def test_one_stretch_of_text_is_reported_once():
    # an email address holding a first name is an email address, not also a name
    assert _found("Write to Kai@example.com") == [("email", "Kai@example.com")]


def test_project_names_are_matched_by_digest_and_the_shipped_list_is_optional():
    only_project = Watchlist(name_digests=PROJECT.name_digests)
    assert _found("Okafor and Kai", only_project) == [("name", "Okafor")]
    assert _found("Okafor and Kai", Watchlist()) == []


def test_name_digest_normalises_case_spacing_and_apostrophes():
    assert (
        name_digest("  O’Connor ")
        == name_digest("o'connor")
        == hashlib.sha256(b"o'connor").hexdigest()
    )
    assert name_digest("Kai   OKAFOR") == hashlib.sha256(b"kai okafor").hexdigest()


def test_shipped_list_is_modest_and_leaves_out_everyday_words():
    names = shipped_first_names()
    assert 200 <= len(names) <= 600
    for word in (
        "will",
        "may",
        "june",
        "hope",
        "grace",
        "rose",
        "mark",
        "christian",
        "christmas",
        "mum",
    ):
        assert word not in names
    assert {"muhammad", "olivia", "kai", "harpreet"} <= names
