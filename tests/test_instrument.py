"""The screening instrument (codebook v1), its loader's checks, and
`altar instrument show|export`."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
import yaml

from altar.errors import CodebookError
from altar.instrument import current_codebook, parse_codebook
from altar.resources import codebooks_dir

CODEBOOK_FILE = codebooks_dir() / "altar-screening_v1.yaml"
ACE_ITEMS = [
    "ace_emotional_abuse",
    "ace_physical_abuse",
    "ace_sexual_abuse",
    "ace_emotional_neglect",
    "ace_physical_neglect",
    "ace_domestic_violence",
    "ace_household_substance_misuse",
    "ace_household_mental_illness",
    "ace_parental_separation",
    "ace_household_incarceration",
]


@pytest.fixture(scope="module")
def raw_codebook() -> dict:
    """The YAML as plain data, read without altar's loader."""
    return yaml.safe_load(CODEBOOK_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def yaml_labels(raw_codebook) -> dict[str, str]:
    return {
        item["code"]: " ".join(item["label"].split())
        for group in raw_codebook["groups"]
        for item in group["items"]
    }


# --- the shipped codebook ------------------------------------------------------


def test_codebook_has_exactly_the_specified_items_in_order(spec):
    assert list(current_codebook().item_codes()) == spec.items
    assert len(spec.items) == 44


def test_every_item_has_the_specified_group_and_type(spec):
    book = current_codebook()
    for code in spec.items:
        item = book.item(code)
        assert item.group == spec.item_group[code], code
        assert item.type == spec.types[code], code


def test_groups_are_the_specified_ones(spec):
    assert [g.code for g in current_codebook().groups] == list(spec.groups)


def test_every_item_has_label_and_help():
    for item in current_codebook().items:
        assert item.label.strip() and item.help.strip(), item.code


def test_count_items_have_a_maximum(spec):
    book = current_codebook()
    for code in spec.count_items:
        assert book.item(code).max is not None and book.item(code).max >= 1, code


def test_ace_score_counts_the_ten_aces_in_the_standard_bands():
    score = current_codebook().score("ace_score")
    assert score.bands == ("0", "1", "2-3", "4+")
    assert sorted(score.items) == sorted(ACE_ITEMS)
    assert len(score.components) == 10
    assert all(len(c.any_of) == 1 for c in score.components)


def test_abuse_types_has_seven_components_with_neglect_counted_once():
    score = current_codebook().score("abuse_types")
    assert score.bands == ("0", "1", "2", "3", "4+")
    assert len(score.components) == 7
    by_code = {c.code: set(c.any_of) for c in score.components}
    assert by_code["neglect"] == {"ace_physical_neglect", "ace_emotional_neglect"}
    # neglect is one component, not two: no other component uses either neglect item
    others = set().union(*(items for code, items in by_code.items() if code != "neglect"))
    assert not others & {"ace_physical_neglect", "ace_emotional_neglect"}
    assert set().union(*by_code.values()) == {
        "ace_physical_abuse",
        "ace_emotional_abuse",
        "ace_sexual_abuse",
        "ace_physical_neglect",
        "ace_emotional_neglect",
        "ace_domestic_violence",
        "criminal_exploitation",
        "sexual_exploitation",
    }


def test_protective_factors_are_trusted_adult_and_positive_activity():
    protective = {item.code for item in current_codebook().items if item.protective}
    assert protective == {"trusted_adult", "positive_activity"}


def test_protective_factors_are_not_in_any_score():
    book = current_codebook()
    scored = {code for score in book.scores for code in score.items}
    assert not scored & {"trusted_adult", "positive_activity"}


def test_answers_explain_the_four_binary_answers():
    assert set(current_codebook().answers) == {"yes", "suspected", "no", "unknown"}


def test_shipped_yaml_parses_the_same_as_the_loader(raw_codebook):
    assert parse_codebook(raw_codebook) == current_codebook()


# --- the loader rejects broken codebooks ------------------------------------------


def _broken(raw: dict, change) -> dict:  # type: ignore[no-untyped-def]
    copy_ = copy.deepcopy(raw)
    change(copy_)
    return copy_


def _group(raw: dict, code: str) -> dict:
    return next(g for g in raw["groups"] if g["code"] == code)


def _score(raw: dict, code: str) -> dict:
    return next(s for s in raw["scores"] if s["code"] == code)


def _duplicate_item(raw: dict) -> None:
    _group(raw, "loss")["items"].append(copy.deepcopy(_group(raw, "ace")["items"][0]))


@pytest.mark.parametrize(
    "change, expected",
    [
        (_duplicate_item, "ace_emotional_abuse"),
        (lambda r: _score(r, "ace_score").__setitem__("bands", ["0", "2+"]), "2+"),
        (
            lambda r: _score(r, "ace_score").__setitem__("bands", ["0", "1", "2-3", "4"]),
            "open-ended",
        ),
        (lambda r: _score(r, "ace_score").__setitem__("bands", ["1", "2+"]), "'1'"),
        (lambda r: _score(r, "ace_score")["items"].append("ace_not_an_item"), "ace_not_an_item"),
        (
            lambda r: _score(r, "ace_score")["items"].append("secondary_schools_count"),
            "secondary_schools_count",
        ),
        (lambda r: _group(r, "ace")["items"][1].__setitem__("type", "text"), "ace_physical_abuse"),
        (lambda r: r["answers"].pop("unknown"), "unknown"),
        (
            lambda r: _group(r, "ace")["items"][0].__setitem__("sources", ["nobody2020"]),
            "nobody2020",
        ),
        (lambda r: _group(r, "ace")["items"][0].__setitem__("max", 5), "count items only"),
        (lambda r: _group(r, "ace")["items"][0].__setitem__("label", ""), "label"),
        (lambda r: _group(r, "ace")["items"][0].__setitem__("code", "Bad Code"), "Bad Code"),
        (lambda r: r.__setitem__("version", 0), "version"),
        (lambda r: r.__setitem__("released", "2026-13-40"), "released"),
        (lambda r: r.__setitem__("groups", []), "groups"),
    ],
    ids=[
        "duplicate-item",
        "band-gap",
        "last-band-closed",
        "bands-not-from-0",
        "score-unknown-item",
        "score-uses-count-item",
        "bad-type",
        "answers-missing-unknown",
        "unknown-source",
        "max-on-binary",
        "empty-label",
        "bad-code",
        "version-0",
        "bad-release-date",
        "no-groups",
    ],
)
def test_parse_codebook_rejects_broken_codebooks(raw_codebook, change, expected):
    with pytest.raises(CodebookError) as caught:
        parse_codebook(_broken(raw_codebook, change))
    assert expected in str(caught.value)


def test_duplicate_item_error_says_it_appears_twice(raw_codebook):
    with pytest.raises(CodebookError, match="twice"):
        parse_codebook(_broken(raw_codebook, _duplicate_item))


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda r: _score(r, "abuse_types")["components"][0].pop("any_of"), "any_of"),
        (lambda r: r["sources"][0].pop("citation"), "citation"),
    ],
    ids=["component-without-any_of", "source-without-citation"],
)
def test_parse_codebook_names_missing_keys(raw_codebook, change, expected):
    with pytest.raises(CodebookError) as caught:
        parse_codebook(_broken(raw_codebook, change))
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    "change",
    [
        lambda r: _score(r, "abuse_types").__setitem__("bands", ["0", "1-0", "1+"]),
        lambda r: _score(r, "ace_score").__setitem__("items", []),
    ],
    ids=["reversed-band-range", "score-with-no-items"],
)
def test_parse_codebook_rejects_meaningless_scores(raw_codebook, change):
    with pytest.raises(CodebookError):
        parse_codebook(_broken(raw_codebook, change))


# --- altar instrument show / export ----------------------------------------------


def test_instrument_show_prints_every_item_with_its_label(run, yaml_labels):
    result = run(["instrument", "show"])
    assert result.exit_code == 0, result.output
    for code, label in yaml_labels.items():
        assert code in result.stdout, code
        assert label in result.stdout, label
    assert "ace_score" in result.stdout and "abuse_types" in result.stdout


def test_instrument_show_one_group(run, spec, yaml_labels):
    result = run(["instrument", "show", "--group", "education"])
    assert result.exit_code == 0, result.output
    for code in spec.items:
        assert (code in result.stdout) == (spec.item_group[code] == "education"), code
    assert yaml_labels["send"] in result.stdout


def test_instrument_export_csv_has_one_row_per_item(run, spec, yaml_labels):
    result = run(["instrument", "export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["item_code"] for r in rows] == spec.items
    assert len(rows) == 44
    for row in rows:
        assert row["group"] == spec.item_group[row["item_code"]]
        assert row["type"] == spec.types[row["item_code"]]
        assert row["label"] == yaml_labels[row["item_code"]]
    protective = {r["item_code"] for r in rows if r["protective"] == "yes"}
    assert protective == {"trusted_adult", "positive_activity"}


def test_instrument_export_csv_to_file(run, tmp_path, spec):
    out = tmp_path / "dictionary.csv"
    result = run(["instrument", "export", "--format", "csv", "--out", out])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    with out.open(newline="", encoding="utf-8") as stream:
        assert [r["item_code"] for r in csv.DictReader(stream)] == spec.items


def test_instrument_export_json_parses(run, spec):
    result = run(["instrument", "export", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["version"] == 1
    assert [g["code"] for g in document["groups"]] == list(spec.groups)
    codes = [item["item_code"] for g in document["groups"] for item in g["items"]]
    assert codes == spec.items
    assert {s["code"] for s in document["scores"]} == {"ace_score", "abuse_types"}


def test_instrument_show_unknown_version_fails_cleanly(run, assert_user_error):
    assert_user_error(run(["instrument", "show", "--version", "99"]), "99")
