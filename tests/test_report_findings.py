"""Key findings in words: pure functions, checked against sentences written
by hand from the research's own phrasing ("9 in 10 children were known or
suspected to have been abused")."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from altar.disclosure import Rule, protect
from altar.report import findings as words
from altar.report.findings import ANSWERED, BaselineFigure, GroupShare
from altar.stats import GroupComparison, TrendTest
from altar.stats.document import ItemComparison


@pytest.mark.parametrize(
    ("count", "total", "expected"),
    [
        (104, 110, "9 in 10"),
        (77, 110, "7 in 10"),
        (55, 110, "5 in 10"),
        (5, 100, "1 in 10"),
        (4, 100, "fewer than 1 in 10"),
        (0, 10, "0 in 10"),
        (10, 10, "10 in 10"),
        (96, 100, "more than 9 in 10"),
    ],
)
def test_in_ten_is_a_natural_frequency_that_never_rounds_to_all_or_none(count, total, expected):
    assert words.in_ten(count, total) == expected


def test_in_ten_refuses_impossible_counts():
    with pytest.raises(ValueError):
        words.in_ten(11, 10)
    with pytest.raises(ValueError):
        words.in_ten(0, 0)


def test_the_research_headline_reads_as_the_research_wrote_it():
    f = words.abuse_finding(104, 98, 110, ["physical abuse", "neglect"], Rule())
    assert f.text == "9 in 10 children were known or suspected to have been abused (104 of 110)."
    assert "physical abuse and neglect" in f.note
    assert (
        "on evidence alone (known, not suspected): 9 in 10 children (98 of 110)" in f.note.lower()
    )


def test_ace_finding_cites_the_baseline_and_its_caveats():
    f = words.ace_finding(
        45, 30, 100, 10, Rule(), BaselineFigure(0.14, "Welsh ACE study, Bellis et al. 2015", 9)
    )
    assert f.text.startswith(
        "5 in 10 children were known or suspected to have experienced four or more of the 10 ACEs"
    )
    assert (
        "compared with 14% of adults in the general population (Welsh ACE study, Bellis et al. 2015)"
        in f.text
    )
    assert "counted over 9 ACEs" in f.note and "not case records about children" in f.note


@pytest.mark.parametrize(
    ("four", "none", "lead"), [(50, 6, "More"), (6, 50, "Fewer"), (7, 7, "As many")]
)
def test_extremes_compare_four_or_more_types_of_abuse_with_none(four, none, lead):
    text = words.extremes_finding(four, none, Rule()).text
    assert text.startswith(
        f"{lead} children were known or suspected to have experienced four or more types of abuse"
    )
    assert f"({four})" in text and f"({none})" in text


def test_a_withheld_count_is_written_as_the_range_the_symbol_conveys():
    sentence = words.share(3, 40, Rule()).sentence("were looked after")
    assert sentence == "Fewer than 6 of the 40 children were looked after."
    assert words.share(3, 40, Rule(threshold=10)).lead == "Fewer than 10 of the 40 children"
    # 37 of 40: the 3 without it are withheld too; 37 is then "more than 34".
    assert words.share(37, 40, Rule()).lead == "More than 34 of the 40 children"
    # a base below the threshold is itself withheld
    assert words.share(0, 4, Rule()).lead == "None of the children"
    assert words.share(3, 4, Rule()).lead == "Fewer than 6 children"
    assert words.count_words(3, Rule()) == "fewer than 6"


def test_unsuppressed_shares_print_the_true_numbers():
    assert words.share(3, 40, Rule.off()).sentence("x") == "1 in 10 children x (3 of 40)."
    assert words.share(2, 8, Rule.off()).sentence("x") == "3 in 10 children x (2 of 8)."
    assert (
        words.share(2, 8, Rule(threshold=1)).lead == "2 of the 8 children"
    )  # no percentage over 8


@given(
    st.integers(min_value=1, max_value=400).flatmap(
        lambda n: st.tuples(st.integers(0, n), st.just(n))
    ),
    st.sampled_from([6, 10]),
)
def test_a_sentence_never_prints_a_withheld_count(pair, threshold):
    count, total = pair
    rule = Rule(threshold=threshold)
    fig = protect(count, total, rule)
    text = words.share(count, total, rule, base=ANSWERED).sentence("lived in poverty")
    printed = {int(n) for n in re.findall(r"(?<![\d.])\d+(?![\d.%])", text)}
    if fig.suppressed:
        assert count not in printed or count in (threshold, total - threshold, total)
    if 1 <= count < threshold:
        assert f"{count} of" not in text
    if 0 < total - count < threshold and count:
        assert f"({count} of" not in text


def test_item_findings_use_the_research_phrasing_and_say_whose_records_answered():
    text = words.item_finding("ace_domestic_violence", "Domestic violence", 77, 105, Rule()).text
    assert text == (
        "7 in 10 children were known or suspected to have lived with domestic violence "
        "(77 of 105 whose records allowed a judgement)."
    )
    fallback = words.item_finding("new_item", "Something New", 77, 105, Rule()).text
    assert "had this known or suspected: something New" in fallback


def test_protective_factors_are_counted_on_evidence_and_never_called_adversity():
    f = words.protective_finding("trusted_adult", "Has a trusted adult", 40, 100, Rule())
    assert "known or suspected" not in f.text
    assert f.note == "A protective factor, not an adversity."


def test_region_comparison_is_appended_to_an_authority_sentence():
    text = words.item_finding(
        "poverty", "Poverty", 15, 20, Rule(), region="West Midlands region: 65.0%"
    ).text
    assert text.endswith("; West Midlands region: 65.0%.")


def comparison(
    test: str, p: float | None, p_holm: float | None, reason: str | None = None
) -> ItemComparison:
    """A stats document's comparison of one item, with only what the words read."""
    result = GroupComparison(test, None, None, None, p, None, None, 80, (), (), reason)
    return ItemComparison("item", "Item", "known or suspected vs no", result, p_holm)


def trend(test: str, p: float | None = None, r: float | None = None) -> TrendTest:
    return TrendTest(test, None, None, None, p, r, None, None, 80, (), (), (), (), (), None)


def test_differences_in_plain_words_never_claim_more_than_the_test_shows():
    shares = [
        GroupShare("custody", "in custody", protect(30, 40)),
        GroupShare("out_of_court", "out of court", protect(10, 40)),
    ]
    clear = words.difference_words(comparison("fisher_exact", 0.001, 0.02), shares)
    assert clear.startswith(
        "Clear difference: highest in custody (75.0%), lowest out of court (25.0%)"
    )
    assert "Unlikely to be chance" in clear and "caus" not in clear
    unclear = words.difference_words(comparison("chi_square", 0.03, 0.4), shares)
    assert unclear.startswith("No clear difference") and "cannot show" in unclear
    untested = words.difference_words(
        comparison("not_testable", None, None, "fewer than two groups with answers"), shares
    )
    assert untested == "Not tested: fewer than two groups with answers."
    assert words.difference_words(comparison("chi_square", 0.03, 0.4), shares, short=True) == (
        "No clear difference"
    )
    hidden = [GroupShare("a", "in a", protect(3, 40)), GroupShare("b", "in b", protect(30, 40))]
    assert "withheld" in words.difference_words(comparison("chi_square", 0.001, 0.01), hidden)


def test_trend_sentence_states_direction_only_when_the_test_supports_it():
    shares = [
        GroupShare("out_of_court", "given out-of-court disposals", protect(10, 40)),
        GroupShare("custody", "in custody", protect(30, 40)),
    ]
    up = words.trend_finding(trend("linear_by_linear", 0.0001, 0.4), shares)
    assert up.text.startswith("ACE scores were higher the more severe the disposal")
    assert "p < 0.001" in up.note and "not that the disposal caused it" in up.note
    flat = words.trend_finding(trend("linear_by_linear", 0.3, 0.1), shares)
    assert flat.text.startswith("ACE scores did not differ clearly") and "p = 0.30" in flat.note
    assert words.trend_finding(trend("not_testable"), shares) is None


def test_region_difference_uses_the_authoritys_interval():
    inside = words.region_difference(
        "Poverty", protect(15, 22), [0.47, 0.84], 0.65, "Dudley", "the region"
    )
    assert inside is None
    outside = words.region_difference(
        "Poverty", protect(8, 22), [0.19, 0.56], 0.65, "Dudley", "the region"
    )
    assert outside.startswith("Poverty: lower in Dudley (36.4%) than in the region (65.0%)")
    assert (
        words.region_difference(
            "Poverty", protect(3, 22), [0.05, 0.3], 0.65, "Dudley", "the region"
        )
        is None
    )


def test_group_finding_compares_girls_with_boys_without_claiming_a_test():
    predicate = "were known or suspected to have experienced four or more types of abuse"
    f = words.group_finding(
        GroupShare("female", "girls", protect(9, 16)),
        GroupShare("male", "boys", protect(3, 92)),
        predicate,
    )
    assert f.text.startswith("9 of 16 girls (56.2%) were known")
    assert f.text.endswith("compared with a withheld number of boys.")
    withheld = words.group_finding(
        GroupShare("female", "girls", protect(3, 16)),
        GroupShare("male", "boys", protect(41, 92)),
        predicate,
    )
    assert withheld is None
