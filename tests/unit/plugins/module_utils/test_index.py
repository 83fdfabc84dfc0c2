"""Unit tests for plugins/module_utils/_index.py (comparing wanted index settings, mappings and aliases)."""

from __future__ import annotations

import pytest

from ansible_collections.esops.migration.plugins.module_utils._index import (
    alias_changes,
    conflict_message,
    flatten_settings,
    is_static,
    mapping_changes,
    settings_changes,
    static_message,
    top_level_mapping_changes,
)

# --- flatten_settings --------------------------------------------------------------------------------------


def test_flatten_nested_with_index_prefix():
    assert flatten_settings({"index": {"number_of_shards": 2, "refresh_interval": "30s"}}) == {
        "index.number_of_shards": "2",
        "index.refresh_interval": "30s",
    }


def test_flatten_without_index_prefix_adds_it():
    assert flatten_settings({"number_of_replicas": 0, "blocks": {"write": True}}) == {
        "index.number_of_replicas": "0",
        "index.blocks.write": "true",
    }


def test_flatten_dotted_keys_flat_and_mixed():
    assert flatten_settings({"index.number_of_replicas": 1, "refresh_interval": "1s", "index": {"codec": "default"}}) == {
        "index.number_of_replicas": "1",
        "index.refresh_interval": "1s",
        "index.codec": "default",
    }


def test_flatten_key_that_merely_starts_with_index_gets_the_prefix():
    # 'indexing' is not the 'index.' namespace
    assert flatten_settings({"indexing": {"slowlog": {"threshold": "5s"}}}) == {
        "index.indexing.slowlog.threshold": "5s"
    }


@pytest.mark.parametrize(
    "value, expected", [(True, "true"), (False, "false"), (3, "3"), (0, "0"), (1.5, "1.5"), ("x", "x"), (None, None)]
)
def test_flatten_scalars_as_elasticsearch_returns_them(value, expected):
    assert flatten_settings({"some_setting": value}) == {"index.some_setting": expected}


def test_flatten_lists_keep_items_as_strings():
    settings = {"analysis": {"analyzer": {"folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]}}}}
    assert flatten_settings(settings) == {
        "index.analysis.analyzer.folded.type": "custom",
        "index.analysis.analyzer.folded.filter": ["lowercase", "asciifolding"],
    }
    assert flatten_settings({"routing": {"allocation": {"include": {"_tier_preference": [1, True]}}}}) == {
        "index.routing.allocation.include._tier_preference": ["1", "true"]
    }


def test_flatten_empty():
    assert flatten_settings(None) == {}
    assert flatten_settings({}) == {}


def test_flatten_empty_section_adds_nothing():
    assert flatten_settings({"index": {}}) == {}
    assert settings_changes({"index": {"number_of_replicas": 1, "blocks": {}}}, {"index.number_of_replicas": "1"}) == (
        {},
        {},
    )


# --- settings_changes --------------------------------------------------------------------------------------


def test_int_and_string_are_the_same_value():
    current = {"index.number_of_replicas": "2", "index.number_of_shards": "1"}
    assert settings_changes({"number_of_replicas": 2}, current) == ({}, {})
    assert settings_changes({"index": {"number_of_replicas": "2"}}, current) == ({}, {})


def test_bool_compares_with_lowercase_string():
    assert settings_changes({"blocks": {"write": True}}, {"index.blocks.write": "true"}) == ({}, {})
    assert settings_changes({"blocks": {"write": False}}, {"index.blocks.write": "true"}) == (
        {"index.blocks.write": ("true", "false")},
        {},
    )


def test_dynamic_and_static_are_split():
    current = {"index.number_of_shards": "1", "index.number_of_replicas": "1", "index.refresh_interval": "1s"}
    wanted = {"number_of_shards": 3, "number_of_replicas": 0, "refresh_interval": "1s", "max_result_window": 50000}
    dynamic, static = settings_changes(wanted, current)
    assert dynamic == {"index.number_of_replicas": ("1", "0"), "index.max_result_window": (None, "50000")}
    assert static == {"index.number_of_shards": ("1", "3")}


@pytest.mark.parametrize(
    "key",
    [
        "index.number_of_shards",
        "index.codec",
        "index.analysis.analyzer.folded.type",
        "index.analysis.filter.syn.synonyms",
        "index.sort.field",
        "index.similarity.my_bm25.b",
    ],
)
def test_static_settings(key):
    assert is_static(key)


@pytest.mark.parametrize(
    "key", ["index.number_of_replicas", "index.refresh_interval", "index.blocks.write", "index.analysis_extra"]
)
def test_dynamic_settings(key):
    assert not is_static(key)


def test_analysis_change_is_static():
    wanted = {"analysis": {"analyzer": {"folded": {"type": "custom", "tokenizer": "standard"}}}}
    current = {"index.analysis.analyzer.folded.type": "custom", "index.analysis.analyzer.folded.tokenizer": "keyword"}
    dynamic, static = settings_changes(wanted, current)
    assert dynamic == {}
    assert static == {"index.analysis.analyzer.folded.tokenizer": ("keyword", "standard")}


def test_internal_settings_are_ignored():
    wanted = {"index": {"uuid": "abc", "creation_date": 1700000000000, "provided_name": "x", "version": {"created": 1}}}
    assert settings_changes(wanted, {"index.uuid": "other"}) == ({}, {})


# --- mapping_changes ---------------------------------------------------------------------------------------


CURRENT = {
    "title": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
    "user": {"properties": {"name": {"type": "keyword"}, "age": {"type": "integer"}}},
    "tags": {"type": "keyword", "ignore_above": 256},
}


def test_same_mapping_has_no_changes():
    assert mapping_changes(CURRENT, CURRENT) == ([], [], [])


def test_subset_of_mapping_has_no_changes():
    assert mapping_changes({"tags": {"type": "keyword"}}, CURRENT) == ([], [], [])


def test_new_top_level_field():
    assert mapping_changes({"created": {"type": "date"}}, CURRENT) == (["created"], [], [])


def test_new_field_in_object():
    wanted = {"user": {"properties": {"name": {"type": "keyword"}, "email": {"type": "keyword"}}}}
    assert mapping_changes(wanted, CURRENT) == (["user.email"], [], [])


def test_new_field_in_new_object_is_the_object():
    assert mapping_changes({"geo": {"properties": {"lat": {"type": "float"}}}}, CURRENT) == (["geo"], [], [])


def test_type_change_is_a_conflict_with_dotted_path():
    wanted = {"user": {"properties": {"age": {"type": "keyword"}}}}
    assert mapping_changes(wanted, CURRENT) == ([], [("user.age", "integer", "keyword")], [])


def test_object_to_leaf_is_a_conflict():
    assert mapping_changes({"user": {"type": "keyword"}}, CURRENT) == ([], [("user", "object", "keyword")], [])


def test_new_multi_field():
    wanted = {"title": {"type": "text", "fields": {"raw": {"type": "keyword"}, "en": {"type": "text"}}}}
    assert mapping_changes(wanted, CURRENT) == (["title.en"], [], [])


def test_multi_field_type_change_is_a_conflict():
    wanted = {"title": {"type": "text", "fields": {"raw": {"type": "wildcard"}}}}
    assert mapping_changes(wanted, CURRENT) == ([], [("title.raw", "keyword", "wildcard")], [])


def test_other_parameter_change_is_listed():
    wanted = {"tags": {"type": "keyword", "ignore_above": 1024}, "title": {"type": "text", "analyzer": "english"}}
    assert mapping_changes(wanted, CURRENT) == ([], [], ["tags", "title"])


def test_parameter_compared_as_elasticsearch_returns_it():
    current = {"secret": {"type": "keyword", "index": "false", "doc_values": "false"}}
    assert mapping_changes({"secret": {"type": "keyword", "index": False, "doc_values": False}}, current) == ([], [], [])


def test_mapping_against_empty_index():
    new, conflicts, other = mapping_changes(CURRENT, None)
    assert sorted(new) == ["tags", "title", "user"]
    assert (conflicts, other) == ([], [])


# --- top_level_mapping_changes -----------------------------------------------------------------------------


def test_top_level_mapping_changes():
    current = {"dynamic": "strict", "_source": {"enabled": True}, "properties": {"a": {"type": "keyword"}}}
    assert top_level_mapping_changes({"dynamic": "strict", "properties": {"b": {"type": "long"}}}, current) == []
    assert top_level_mapping_changes({"dynamic": False, "_source": {"enabled": "true"}}, current) == ["dynamic"]
    assert top_level_mapping_changes({"dynamic": "false", "_routing": {"required": True}}, {"dynamic": "false"}) == [
        "_routing"
    ]
    assert top_level_mapping_changes(None, current) == []


# --- alias_changes -----------------------------------------------------------------------------------------


def test_missing_alias_is_added():
    assert alias_changes({"logs": None, "all": {"is_hidden": True}}, {}) == {"all": {"is_hidden": True}, "logs": {}}


def test_same_alias_gives_no_change():
    current = {"logs": {}, "w": {"is_write_index": True}, "f": {"filter": {"term": {"level": "error"}}}}
    wanted = {"logs": {}, "w": {"is_write_index": True}, "f": {"filter": {"term": {"level": "error"}}}}
    assert alias_changes(wanted, current) == {}


def test_changed_filter():
    current = {"errors": {"filter": {"term": {"level": "error"}}}}
    wanted = {"errors": {"filter": {"term": {"level": "warn"}}}}
    assert alias_changes(wanted, current) == wanted


def test_filter_compared_regardless_of_key_order_and_value_types():
    current = {"f": {"filter": {"bool": {"must": [{"term": {"n": "1"}}], "boost": "1.0"}}}}
    wanted = {"f": {"filter": {"bool": {"boost": 1.0, "must": [{"term": {"n": 1}}]}}}}
    assert alias_changes(wanted, current) == {}


def test_is_write_index():
    assert alias_changes({"w": {"is_write_index": True}}, {"w": {}}) == {"w": {"is_write_index": True}}
    assert alias_changes({"w": {"is_write_index": False}}, {"w": {}}) == {}
    assert alias_changes({"w": {"is_write_index": False}}, {"w": {"is_write_index": True}}) == {
        "w": {"is_write_index": False}
    }


def test_routing_matches_index_and_search_routing():
    assert alias_changes({"r": {"routing": 1}}, {"r": {"index_routing": "1", "search_routing": "1"}}) == {}
    assert alias_changes({"r": {"routing": "1"}}, {"r": {"index_routing": "1", "search_routing": "2"}}) == {
        "r": {"routing": "1"}
    }


# --- messages ----------------------------------------------------------------------------------------------


def test_static_message_names_settings_and_values():
    message = static_message("logs-v1", {"index.number_of_shards": ("1", "3"), "index.codec": (None, "best_compression")})
    assert "logs-v1" in message
    assert "index.number_of_shards is 1, asked 3" in message
    assert "index.codec is unset, asked best_compression" in message


def test_conflict_message_names_field_and_types():
    message = conflict_message("logs-v1", [("user.age", "integer", "keyword")])
    assert "logs-v1" in message
    assert "user.age" in message
    assert "integer" in message and "keyword" in message
