"""Unit tests for plugins/module_utils/_verify.py."""

from __future__ import annotations

from ansible_collections.esops.migration.plugins.module_utils._verify import compare_counts


def test_equal_counts():
    result, message = compare_counts("logs", 1234, "logs-v2", 1234)
    assert result == dict(source_count=1234, dest_count=1234, difference=0, match=True)
    assert "logs" in message and "logs-v2" in message and "1234" in message


def test_missing_documents():
    result, message = compare_counts("logs", 1000, "logs-v2", 990)
    assert result == dict(source_count=1000, dest_count=990, difference=-10, match=False)
    assert "1000" in message and "990" in message
    assert "10 missing" in message


def test_extra_documents():
    result, message = compare_counts("logs", 1000, "logs-v2", 1003)
    assert result == dict(source_count=1000, dest_count=1003, difference=3, match=False)
    assert "1000" in message and "1003" in message
    assert "3 more" in message


def test_empty_destination():
    result, message = compare_counts("logs", 5, "logs-v2", 0)
    assert result["match"] is False
    assert "5 missing" in message


# --- option_problems / coverage_problems (issue 13) -------------------------------------------------------------

from ansible_collections.esops.migration.plugins.module_utils._verify import (  # noqa: E402
    coverage_problems,
    option_problems,
)


def test_every_count_option_must_be_at_least_one():
    params = dict(batch_size=0, sample_size=-1, max_report=0, memory_limit=0)
    problems = option_problems(params)
    assert [problem.split()[0] for problem in problems] == ["batch_size", "sample_size", "max_report", "memory_limit"]
    assert option_problems(dict(batch_size=1, sample_size=1, max_report=1, memory_limit=1)) == []


def outcome(compared, missing=0, extra=0):
    return dict(compared=compared, missing=missing, extra=extra)


def test_a_stream_that_read_nothing_never_passes():
    assert coverage_problems("ids", outcome(0), 6, 6)
    assert coverage_problems("content", outcome(5, missing=1), 6, 7)  # one destination document unread
    assert coverage_problems("ids", outcome(5, missing=1, extra=1), 6, 6) == []


def test_a_short_sample_never_passes():
    assert coverage_problems("sample", outcome(0), 6, 6, sample_size=0) == []  # refused earlier by option_problems
    assert coverage_problems("sample", outcome(0), 6, 6, sample_size=100)
    assert coverage_problems("sample", outcome(5, missing=1), 6, 6, sample_size=100) == []
    assert coverage_problems("sample", outcome(3), 6, 6, sample_size=3) == []
    assert coverage_problems("count", outcome(0), 6, 6) == []


def test_type_query_and_compared_id():
    from ansible_collections.esops.migration.plugins.module_utils._verify import compared_id, type_query

    assert type_query(None, None) is None
    assert type_query(None, "tweet") == {"term": {"_type": "tweet"}}
    user = {"range": {"n": {"gte": 1}}}
    assert type_query(user, "tweet") == {"bool": {"filter": [user, {"term": {"_type": "tweet"}}]}}
    assert compared_id({"_id": "1", "_type": "tweet"}, "") == "1"
    assert compared_id({"_id": "1", "_type": "tweet"}, "#") == "tweet#1"
