"""Coreference metrics on cases with known values (worked by hand in the comments)."""

from __future__ import annotations

import pytest

from eventfuse.evaluate.metrics import b_cubed, ceaf_e, conll_f1, muc, score_all

# The running example of Pradhan et al. (2014), also in the CoNLL reference scorer's tests:
# key {a b c} {d e f g}; response {a b} {c d} {f g h i}.
KEY = [{"a", "b", "c"}, {"d", "e", "f", "g"}]
RESPONSE = [{"a", "b"}, {"c", "d"}, {"f", "g", "h", "i"}]


def test_muc_on_the_reference_example():
    # recall: {a b c} splits in 2 parts (1 link of 2), {d e f g} in 3 parts (1 of 3): 2/5.
    # precision: {a b} 1/1, {c d} 0/1, {f g h i} splits {f g} {h} {i}: 1/3 -> 2/5.
    score = muc(KEY, RESPONSE)
    assert score.recall == pytest.approx(0.4)
    assert score.precision == pytest.approx(0.4)
    assert score.f1 == pytest.approx(0.4)


def test_b_cubed_on_the_reference_example():
    # recall: (2/3 + 2/3 + 1/3 + 1/4 + 0 + 2/4 + 2/4) / 7 = 35/84; precision: 4/8.
    score = b_cubed(KEY, RESPONSE)
    assert score.recall == pytest.approx(35 / 84)
    assert score.precision == pytest.approx(0.5)
    assert score.f1 == pytest.approx(2 * (35 / 84) * 0.5 / (35 / 84 + 0.5))


def test_ceaf_e_on_the_reference_example():
    # phi4: {abc}~{ab} 0.8, {defg}~{fghi} 0.5 is the best alignment: 1.3 / 2 and 1.3 / 3.
    score = ceaf_e(KEY, RESPONSE)
    assert score.recall == pytest.approx(0.65)
    assert score.precision == pytest.approx(1.3 / 3)


def test_conll_is_the_mean_of_the_three():
    expected = (muc(KEY, RESPONSE).f1 + b_cubed(KEY, RESPONSE).f1 + ceaf_e(KEY, RESPONSE).f1) / 3
    assert conll_f1(KEY, RESPONSE) == pytest.approx(expected)
    assert score_all(KEY, RESPONSE)["conll_f1"] == pytest.approx(expected)


def test_a_perfect_response_scores_one():
    assert conll_f1(KEY, KEY) == pytest.approx(1.0)


def test_all_singletons_against_one_cluster():
    key = [{1, 2, 3, 4}]
    response = [{1}, {2}, {3}, {4}]
    assert muc(key, response).recall == 0.0
    assert b_cubed(key, response).precision == 1.0
    assert b_cubed(key, response).recall == pytest.approx(0.25)
    # one key entity, four response entities; best phi4 = 2*1/(4+1) = 0.4
    assert ceaf_e(key, response).recall == pytest.approx(0.4)
    assert ceaf_e(key, response).precision == pytest.approx(0.1)


def test_the_alignment_maximizes_the_total_similarity():
    key = [{1, 2, 3}, {4, 5, 6, 7}]
    response = [{1, 2, 3, 4, 5, 6}, {7}]
    # {4 5 6 7}~{1..6} has phi4 6/10 but taking it leaves {1 2 3}~{7} = 0: total 0.6.
    # The optimum is {1 2 3}~{1..6} (6/9) + {4 5 6 7}~{7} (2/5) = 1.0667.
    score = ceaf_e(key, response)
    assert score.recall == pytest.approx((6 / 9 + 2 / 5) / 2)
