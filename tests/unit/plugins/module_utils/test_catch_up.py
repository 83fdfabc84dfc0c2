"""Unit tests for plugins/module_utils/_catch_up.py (catch-up ranges and high-water mark arithmetic)."""

from __future__ import annotations

import pytest

from ansible_collections.esops.migration.plugins.module_utils._catch_up import (
    advance_mark,
    lower_bound,
    mark_as_string,
    mark_from_max,
    mark_kind,
    meta_with_mark,
    overlap_amount,
    overlap_kind_problem,
    previous_mark,
    since_clause,
    since_problems,
    stored_mark,
    time_value_millis,
)


@pytest.mark.parametrize("text, millis", [("500ms", 500), ("30s", 30000), ("1m", 60000), ("2h", 7200000),
                                          ("1d", 86400000), (" 5 s ", 5000)])
def test_time_values_are_read_in_milliseconds(text, millis):
    assert time_value_millis(text) == millis


@pytest.mark.parametrize("text", ["1", "1w", "m", "-1s", "1.5m", ""])
def test_what_is_not_a_time_value_is_refused(text):
    with pytest.raises(ValueError):
        time_value_millis(text)


@pytest.mark.parametrize("field_type, kind", [("date", "date"), ("date_nanos", "date"), ("long", "integer"),
                                              ("unsigned_long", "integer"), ("double", "float"),
                                              ("scaled_float", "float"), ("keyword", None), ("text", None)])
def test_mark_kind_of_mapping_types(field_type, kind):
    assert mark_kind(field_type) == kind


def test_date_overlap_defaults_to_a_minute_and_numbers_to_nothing():
    assert overlap_amount("date", None) == 60000
    assert overlap_amount("date", "5s") == 5000
    assert overlap_amount("integer", None) == 0
    assert overlap_amount("integer", "10") == 10 and isinstance(overlap_amount("integer", "10"), int)
    assert overlap_amount("float", "0.5") == 0.5


def test_an_overlap_of_the_wrong_kind_is_named():
    assert overlap_kind_problem("seq", "integer", "1m") == "since.overlap '1m' must be a number for the numeric field seq"
    assert "time value" in overlap_kind_problem("updated_at", "date", "10")
    assert overlap_kind_problem("updated_at", "date", "10s") is None
    assert overlap_kind_problem("seq", "integer", "3") is None


def test_auto_starts_at_the_previous_mark_minus_the_overlap():
    assert lower_bound("date", "auto", 1795687200123, None) == 1795687200123 - 60000
    assert lower_bound("date", "auto", 1795687200123, "10s") == 1795687190123
    assert lower_bound("integer", "auto", 500, None) == 500
    assert lower_bound("integer", "auto", 500, "20") == 480
    assert lower_bound("float", "auto", 2.5, "0.5") == 2.0


def test_auto_without_a_previous_mark_has_no_bound_and_an_explicit_value_is_kept():
    assert lower_bound("date", "auto", None, "1m") is None
    assert lower_bound("date", "now-1h", 1795687200123, "1m") == "now-1h"
    assert lower_bound("integer", 42, 500, "20") == 42


def test_range_clauses():
    assert since_clause("t", "date", None) is None
    assert since_clause("t", "date", 1795687140123) == {"range": {"t": {"gte": 1795687140123, "format": "epoch_millis"}}}
    assert since_clause("t", "date", "now-1h") == {"range": {"t": {"gte": "now-1h"}}}
    assert since_clause("seq", "integer", 480) == {"range": {"seq": {"gte": 480}}}


def test_marks_from_max_aggregations():
    assert mark_from_max("date", {"value": 1795687200123.0, "value_as_string": "2026-11-26T10:00:00.123Z"}) == \
        1795687200123
    assert isinstance(mark_from_max("date", {"value": 1795687200123.9}), int)
    assert mark_from_max("integer", {"value": 500.0}) == 500
    assert mark_from_max("float", {"value": 2.25}) == 2.25
    assert mark_from_max("date", {"value": None}) is None
    assert mark_from_max("date", None) is None


def test_a_mark_never_goes_down():
    assert advance_mark(None, 10) == 10
    assert advance_mark(10, None) == 10
    assert advance_mark(10, 7) == 10  # the documents holding 10 were deleted on the source
    assert advance_mark(10, 12) == 12
    assert advance_mark(None, None) is None


def test_marks_as_strings():
    assert mark_as_string("date", 1795687200123) == "2026-11-26T10:00:00.123Z"
    assert mark_as_string("date", 0) == "1970-01-01T00:00:00.000Z"
    assert mark_as_string("integer", 500) == "500"
    assert mark_as_string("date", None) is None


ENTRY = dict(source_index="logs.1", field="ts", kind="date", mark=100, mark_as_string="x")


def test_meta_with_mark_keeps_the_rest_of_meta_and_other_marks():
    meta = {"owner": "team-a", "esops_migration": {"high_water_marks": [
        dict(ENTRY, field="other", mark=5), dict(ENTRY, mark=50)], "note": "kept"}}
    updated = meta_with_mark(meta, ENTRY)
    assert updated["owner"] == "team-a" and updated["esops_migration"]["note"] == "kept"
    assert updated["esops_migration"]["high_water_marks"] == [dict(ENTRY, field="other", mark=5), ENTRY]
    assert meta["esops_migration"]["high_water_marks"][1]["mark"] == 50  # the input is not changed
    assert meta_with_mark(None, ENTRY) == {"esops_migration": {"high_water_marks": [ENTRY]}}


def test_stored_marks_are_found_by_source_index_field_and_kind():
    meta = meta_with_mark({}, ENTRY)
    assert stored_mark(meta, "logs.1", "ts", "date") == 100
    assert stored_mark(meta, "logs.2", "ts", "date") is None
    assert stored_mark(meta, "logs.1", "ts", "integer") is None  # the field changed type: start again
    assert stored_mark(None, "logs.1", "ts", "date") is None


def test_a_destination_of_several_indices_takes_the_lowest_mark_or_none():
    one = {"_meta": meta_with_mark({}, ENTRY)}
    other = {"_meta": meta_with_mark({}, dict(ENTRY, mark=40))}
    assert previous_mark({"a": one}, "logs.1", "ts", "date") == 100
    assert previous_mark({"a": one, "b": other}, "logs.1", "ts", "date") == 40
    assert previous_mark({"a": one, "c": {}}, "logs.1", "ts", "date") is None
    assert previous_mark({}, "logs.1", "ts", "date") is None


def params(**since):
    return dict(since=since, wait=True, max_docs=None)


def test_since_problems():
    assert since_problems(dict(since=None)) == []
    assert since_problems(params(field="t", value="auto", overlap="1m")) == []
    assert since_problems(params(field="t", value=12, overlap="3")) == []
    assert "since.value is empty" in since_problems(params(field="t", value=" "))[0]
    assert "neither a time value" in since_problems(params(field="t", value="auto", overlap="soon"))[0]
    assert "neither a time value" in since_problems(params(field="t", value="auto", overlap="-3"))[0]
    assert "needs wait=true" in since_problems(dict(params(field="t", value="auto"), wait=False))[0]
    assert "max_docs" in since_problems(dict(params(field="t", value="auto"), max_docs=5))[0]
    assert since_problems(dict(params(field="t", value="now-1h"), wait=False, max_docs=5)) == []
    assert "not True" in since_problems(params(field="t", value=True))[0]
