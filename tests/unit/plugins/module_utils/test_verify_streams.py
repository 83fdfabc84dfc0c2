"""DocumentComparison, digests and mapping comparison (pure)."""

from __future__ import annotations

from ansible_collections.esops.migration.plugins.module_utils._verify import (
    DocumentComparison,
    compare_mappings,
    document_problems,
    source_digest,
)


def test_digest_ignores_key_order_but_not_values():
    assert source_digest({"a": 1, "b": [1, 2]}) == source_digest({"b": [1, 2], "a": 1})
    assert source_digest({"a": 1}) != source_digest({"a": "1"})
    assert source_digest({"a": [1, 2]}) != source_digest({"a": [2, 1]})


def test_streams_in_different_orders_match_and_memory_drains():
    comparison = DocumentComparison()
    ids = ["d%d" % number for number in range(100)]
    for doc_id, other_id in zip(ids, reversed(ids)):
        comparison.add(0, doc_id, doc_id.encode())
        comparison.add(1, other_id, other_id.encode())
    outcome = comparison.outcome()
    assert (outcome["missing"], outcome["extra"], outcome["mismatched"], outcome["compared"]) == (0, 0, 0, 100)
    assert comparison.pending == ({}, {})


def test_in_step_streams_hold_almost_nothing():
    comparison = DocumentComparison()
    for number in range(1000):
        comparison.add(0, str(number), b"x")
        comparison.add(1, str(number), b"x")
    assert comparison.peak_pending == 1


def test_missing_extra_and_mismatched_are_counted_and_reported_up_to_max_report():
    comparison = DocumentComparison(max_report=2)
    for number in range(5):
        comparison.add(0, "m%d" % number, b"x")  # never on the dest side
    comparison.add(1, "e1", b"x")
    comparison.add(0, "same", b"1")
    comparison.add(1, "same", b"2")
    outcome = comparison.outcome()
    assert outcome["missing"] == 5 and outcome["missing_ids"] == ["m0", "m1"]
    assert outcome["extra"] == 1 and outcome["extra_ids"] == ["e1"]
    assert outcome["mismatched"] == 1 and outcome["mismatched_ids"] == ["same"]
    problems = document_problems(outcome, "content")
    assert problems[0] == "5 missing, first: m0, m1"
    assert "1 extra, first: e1" in problems and "1 with a different _source, first: same" in problems


def test_mappings_report_one_sided_fields_and_type_differences():
    source = {"a": {"type": "keyword"}, "o": {"properties": {"x": {"type": "long"}}},
              "t": {"type": "text", "fields": {"raw": {"type": "keyword"}}}}
    dest = {"a": {"type": "text"}, "o": {"properties": {"y": {"type": "long"}}}, "t": {"type": "text"}}
    result = compare_mappings(source, dest)
    assert result["only_in_source"] == ["o.x", "t.raw"]
    assert result["only_in_dest"] == ["o.y"]
    assert result["type_differences"] == {"a": ["keyword", "text"]}


def test_memory_stays_bounded_by_spilling_and_results_are_the_same():
    ids = ["d%04d" % number for number in range(500)]
    results = []
    for limit in (10, 100000):
        comparison = DocumentComparison(max_report=3, memory_limit=limit)
        held = []
        for doc_id, other_id in zip(ids, reversed(ids)):
            if other_id != "d0007":  # missing on the dest side
                comparison.add(1, other_id, b"changed" if other_id == "d0300" else other_id.encode())
            comparison.add(0, doc_id, doc_id.encode())
            held.append(len(comparison.pending[0]) + len(comparison.pending[1]))
        comparison.add(1, "zz-extra", b"x")
        outcome = comparison.outcome()
        if limit == 10:
            assert max(held) <= 11 and outcome["spilled"] > 0
        else:
            assert outcome["spilled"] == 0
        outcome.pop("spilled")
        results.append(outcome)
    assert results[0] == results[1]
    assert results[0]["compared"] == 499 and results[0]["mismatched_ids"] == ["d0300"]
    assert results[0]["missing_ids"] == ["d0007"]
    assert results[0]["extra_ids"] == ["zz-extra"]


def test_every_id_seen_on_one_side_only_is_listed_also_after_spilling():
    comparison = DocumentComparison(max_report=2, memory_limit=3)
    for doc_id in ("a", "b", "c", "d", "e"):
        comparison.add(1, doc_id, b"")
    for doc_id in ("b", "z"):
        comparison.add(0, doc_id, b"")
    comparison.add(1, "f", b"")  # after the spill: held in memory
    assert comparison.spilled > 0
    assert comparison.unmatched_count(1) == 5 and comparison.unmatched_count(0) == 1
    assert sorted(comparison.unmatched_ids(1)) == ["a", "c", "d", "e", "f"]
    assert list(comparison.unmatched_ids(0)) == ["z"]
    outcome = comparison.outcome()
    assert (outcome["extra"], outcome["extra_ids"], outcome["missing_ids"]) == (5, ["a", "c"], ["z"])
