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
