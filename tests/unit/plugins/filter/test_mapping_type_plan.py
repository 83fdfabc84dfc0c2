"""Unit tests for the esops.migration.mapping_type_plan filter and the per-copy verifications of migration_result."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.esops.migration.plugins.filter.mapping_type_plan import FilterModule
from ansible_collections.esops.migration.plugins.filter.migration_result import migration_result

TWO_TYPES = {"status": 200, "json": {"multi": {"mappings": {
    "_default_": {"properties": {}}, "tweet": {"properties": {"msg": {"type": "text"}}},
    "user": {"properties": {"name": {"type": "keyword"}}}}}}}
ONE_TYPE = {"status": 200, "json": {"books": {"mappings": {"doc": {"properties": {"title": {"type": "keyword"}}}}}}}
TYPELESS = {"status": 200, "json": {"logs": {"mappings": {"_source": {"enabled": True}, "runtime": {},
                                                          "properties": {"a": {"type": "long"}}}}}}


@pytest.fixture
def plan():
    return FilterModule().filters()["mapping_type_plan"]


def test_refuse_names_the_types_and_the_strategies(plan):
    result = plan([{"source": "multi"}, {"source": "books"}], [TWO_TYPES, ONE_TYPE], "refuse", "#")
    assert len(result["problems"]) == 1
    assert "multi has tweet, user" in result["problems"][0]
    assert "index_per_type" in result["problems"][0] and "prefix_ids" in result["problems"][0]


def test_index_per_type_creates_and_checks_one_index_per_type(plan):
    result = plan([{"source": "multi"}, {"source": "books", "dest": "b2"}], [TWO_TYPES, ONE_TYPE],
                  "index_per_type", "#")
    assert result["problems"] == []
    assert [copy["dest_index"] for copy in result["copies"]] == ["multi-{type}", "b2"]
    assert [(index["name"], index["mapping_type"]) for index in result["indices"]] == [
        ("multi-tweet", "tweet"), ("multi-user", "user"), ("b2", None)]
    assert [(check["position"], check["dest_index"], check["mapping_type"]) for check in result["checks"]] == [
        (0, "multi-tweet", "tweet"), (0, "multi-user", "user"), (1, "b2", None)]


def test_index_per_type_needs_type_in_a_given_dest(plan):
    result = plan([{"source": "multi", "dest": "all"}], [TWO_TYPES], "index_per_type", "#")
    assert "needs {type} in the dest of multi" in result["problems"][0]


def test_prefix_ids_merges_the_types_and_checks_prefixed_ids(plan):
    result = plan([{"source": "multi", "dest": "m"}, {"source": "books"}], [TWO_TYPES, ONE_TYPE], "prefix_ids", "::")
    assert [(index["name"], index["merge_types"]) for index in result["indices"]] == [("m", True), ("books", False)]
    assert [check["type_separator"] for check in result["checks"]] == ["::", ""]


def test_unanswered_skipped_and_typeless_answers_have_one_type(plan):
    skipped = {"skipped": True, "item": {"source": "multi"}}
    result = plan([{"source": "multi"}, {"source": "logs"}, {"source": "x"}],
                  [skipped, TYPELESS, {"status": 404, "json": {}}], "index_per_type", "#")
    assert result["problems"] == [] and [index["name"] for index in result["indices"]] == ["multi", "logs", "x"]
    assert plan([{"source": "multi"}], [], "refuse", "#")["problems"] == []


def test_bad_arguments_fail(plan):
    with pytest.raises(AnsibleFilterError):
        plan("multi", [], "refuse", "#")
    with pytest.raises(AnsibleFilterError):
        plan([], [], "sideways", "#")


def check(position, source_count, dest_count, match=True):
    return dict(item={"position": position}, source_count=source_count, dest_count=dest_count, match=match,
                level="content", msg="ok" if match else "bad")


def test_migration_result_combines_the_checks_of_one_copy():
    copies = [dict(item={"source": "multi", "dest_index": "multi-{type}"}, total=5, created=5, updated=0,
                   version_conflicts=0, failures=[]),
              dict(item={"source": "books"}, total=2, created=2, updated=0, version_conflicts=0, failures=[])]
    result = migration_result(copies, [check(0, 3, 3), check(0, 2, 2), check(1, 2, 2)])
    assert result["ok"] is True
    first = result["indices"][0]
    assert (first["dest"], first["source_count"], first["dest_count"]) == ("multi-{type}", 5, 5)
    assert first["verify"]["outcome"] == "match"
    broken = migration_result(copies, [check(0, 3, 3), check(0, 2, 1, match=False), check(1, 2, 2)])
    assert broken["ok"] is False and broken["indices"][0]["verify"]["outcome"] == "mismatch"
    assert broken["indices"][1]["verify"]["outcome"] == "match"
