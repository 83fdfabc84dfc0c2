"""Unit tests for plugins/module_utils/_index.py: comparing wanted index settings, mappings and aliases, and what
es_index copy_from takes from the source (settings, analysis) and checks before creating the index."""

from __future__ import annotations

import pytest

from ansible_collections.esops.migration.plugins.module_utils._index import (
    alias_changes,
    analysis_checks,
    analysis_section,
    conflict_message,
    copyable_settings,
    flatten_settings,
    is_static,
    mapping_changes,
    merge_overrides,
    merge_settings,
    not_resolvable,
    preflight_message,
    referenced_analysis,
    settings_changes,
    static_message,
    top_level_mapping_changes,
    unflatten_settings,
    unknown_normalizers,
    unknown_type_in,
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


# === copy_from: settings and analysis taken from the source, and the preflight checks ========================

# What GET <index>/_settings?flat_settings=true returns for an index with a custom analyzer.
SOURCE_SETTINGS = {
    "index.analysis.analyzer.my.filter": ["lowercase", "stop"],
    "index.analysis.analyzer.my.tokenizer": "standard",
    "index.analysis.analyzer.my.type": "custom",
    "index.blocks.write": "true",
    "index.creation_date": "1795645249215",
    "index.history.uuid": "hx",
    "index.lifecycle.name": "hot-warm",
    "index.number_of_replicas": "1",
    "index.number_of_shards": "2",
    "index.provided_name": "product_info",
    "index.refresh_interval": "5s",
    "index.resize.source.name": "big",
    "index.routing.allocation.include._name": "*",
    "index.routing.allocation.require.box": "hot",
    "index.routing.allocation.initial_recovery._id": "abc",
    "index.routing_partition_size": "1",
    "index.uuid": "7lXGjz6rTX-Fsg69sQiCAg",
    "index.version.created": "7172999",
}

# --- copyable_settings -------------------------------------------------------------------------------------


def test_copyable_settings_drops_facts_states_lifecycle_and_allocation():
    kept, dropped = copyable_settings(SOURCE_SETTINGS)
    assert kept == {
        "index.analysis.analyzer.my.filter": ["lowercase", "stop"],
        "index.analysis.analyzer.my.tokenizer": "standard",
        "index.analysis.analyzer.my.type": "custom",
        "index.number_of_replicas": "1",
        "index.number_of_shards": "2",
        "index.refresh_interval": "5s",
        "index.routing_partition_size": "1",
    }
    assert dropped == sorted(set(SOURCE_SETTINGS) - set(kept))


def test_copyable_settings_keeps_allocation_filters_when_asked_but_not_the_shrink_origin():
    kept, dropped = copyable_settings(SOURCE_SETTINGS, keep_allocation=True)
    assert kept["index.routing.allocation.include._name"] == "*"
    assert kept["index.routing.allocation.require.box"] == "hot"
    assert "index.routing.allocation.initial_recovery._id" in dropped
    assert "index.uuid" in dropped and "index.uuid" not in kept


def test_copyable_settings_accepts_nested_settings():
    nested = {"index": {"number_of_shards": "3", "uuid": "u", "version": {"created": "7172999"},
                        "routing": {"allocation": {"include": {"_name": "*"}}}}}
    kept, dropped = copyable_settings(nested)
    assert kept == {"index.number_of_shards": "3"}
    assert dropped == ["index.routing.allocation.include._name", "index.uuid", "index.version.created"]


# --- merge_settings / merge_overrides ----------------------------------------------------------------------


def test_merge_settings_user_wins_in_any_form_and_null_drops_a_group():
    kept, _dropped = copyable_settings(SOURCE_SETTINGS)
    merged = merge_settings(kept, {"number_of_replicas": 0, "index.refresh_interval": "30s",
                                   "analysis": {"analyzer": {"my": None}}, "routing_partition_size": None})
    assert merged == {"index.number_of_replicas": "0", "index.number_of_shards": "2", "index.refresh_interval": "30s"}


def test_merge_settings_scalar_replaces_a_group():
    merged = merge_settings({"index.analysis.analyzer.a.type": "custom", "index.analysis.analyzer.a.tokenizer": "x"},
                            {"index.analysis.analyzer.a": "standard"})
    assert merged == {"index.analysis.analyzer.a": "standard"}


def test_merge_overrides_deep_merges_and_null_removes():
    base = {"dynamic": "strict", "properties": {"productName": {"type": "text", "analyzer": "ik_smart"},
                                                "rate": {"type": "keyword"}}}
    overrides = {"properties": {"productName": {"analyzer": "standard"}, "rate": {"type": "double"},
                                "price": {"type": "float"}}, "dynamic": None}
    assert merge_overrides(base, overrides) == {
        "properties": {"productName": {"type": "text", "analyzer": "standard"}, "rate": {"type": "double"},
                       "price": {"type": "float"}}
    }
    assert base["properties"]["productName"]["analyzer"] == "ik_smart"  # inputs untouched
    assert merge_overrides({"properties": {"a": {"type": "text", "analyzer": "x"}}},
                           {"properties": {"a": {"analyzer": None}}}) == {"properties": {"a": {"type": "text"}}}


def test_unflatten_and_analysis_section_from_flat_nested_or_mixed_settings():
    assert unflatten_settings({"index.a.b": "1", "index.a.c": "2"}) == {"index": {"a": {"b": "1", "c": "2"}}}
    expected = {"analyzer": {"my": {"type": "custom", "tokenizer": "standard"}}}
    assert analysis_section({"index.analysis.analyzer.my.type": "custom",
                             "index.analysis.analyzer.my.tokenizer": "standard", "index.number_of_shards": "1"}) == expected
    assert analysis_section({"analysis": {"analyzer": {"my": {"type": "custom", "tokenizer": "standard"}}}}) == expected
    assert analysis_section({"number_of_shards": 1}) == {}


# --- referenced_analysis -----------------------------------------------------------------------------------

MAPPINGS = {
    "properties": {
        "productName": {"type": "text", "analyzer": "ik_smart", "search_analyzer": "ik_max_word",
                        "fields": {"raw": {"type": "keyword", "normalizer": "folding"},
                                   "std": {"type": "text", "analyzer": "standard", "search_quote_analyzer": "quoted"}}},
        "describe": {"type": "text", "analyzer": "ik_smart"},
        "own": {"type": "text", "analyzer": "my"},
        "vendor": {"properties": {"name": {"type": "keyword", "normalizer": "lowercase"},
                                  "geo": {"type": "geo_shape"}}},
    },
    "dynamic_templates": [{"strings": {"match_mapping_type": "string",
                                       "mapping": {"type": "{dynamic_type}", "analyzer": "ik_smart"}}}],
}
ANALYSIS = {"analyzer": {"my": {"type": "custom", "tokenizer": "standard"}}}


def test_referenced_analysis_finds_undefined_analyzers_normalizers_and_every_type_with_their_users():
    found = referenced_analysis(MAPPINGS, ANALYSIS)
    assert found["analyzer"] == {
        "ik_max_word": ["field productName"],
        "ik_smart": ["field describe", "field productName", "dynamic template strings"],
        "quoted": ["field productName.std"],
        "standard": ["field productName.std"],
    }
    assert "my" not in found["analyzer"]  # defined in the index
    assert found["normalizer"] == {"folding": ["field productName.raw"], "lowercase": ["field vendor.name"]}
    assert found["types"] == {
        "geo_shape": ["field vendor.geo"],
        "keyword": ["field productName.raw", "field vendor.name"],
        "text": ["field describe", "field own", "field productName", "field productName.std"],
    }


def test_unknown_normalizers_leave_out_the_built_in_lowercase_and_defined_ones():
    assert unknown_normalizers(MAPPINGS, ANALYSIS) == {"folding": ["field productName.raw"]}
    defined = {"normalizer": {"folding": {"type": "custom", "filter": ["lowercase"]}}}
    assert unknown_normalizers(MAPPINGS, defined) == {}


def test_referenced_analysis_of_empty_or_odd_input():
    assert referenced_analysis({}, None) == {"analyzer": {}, "normalizer": {}, "types": {}}
    odd = {"properties": {"a": "text", "b": {"type": 3, "analyzer": ["x"]}}, "dynamic_templates": ["nope"]}
    assert referenced_analysis(odd, {}) == {"analyzer": {}, "normalizer": {}, "types": {}}


# --- analysis_checks ---------------------------------------------------------------------------------------


def test_analysis_checks_ask_for_undefined_analyzers_and_the_parts_of_the_index_own_analysis():
    analysis = {
        "analyzer": {
            "my": {"type": "custom", "tokenizer": "ik_max_word", "filter": ["lowercase", "my_stop"],
                   "char_filter": "html_strip"},
            "other": {"tokenizer": "ik_max_word"},
            "lang": {"type": "english"},
        },
        "normalizer": {"fold": {"type": "custom", "filter": ["asciifolding"]}},
        "filter": {"my_stop": {"type": "stop", "stopwords": ["a"]}},
    }
    mappings = {"properties": {"a": {"type": "text", "analyzer": "my"}, "b": {"type": "text", "analyzer": "ik_smart"}}}
    checks = {(check["kind"], check["name"]): check for check in analysis_checks(mappings, analysis)}
    assert sorted(checks) == [
        ("analyzer", "ik_smart"), ("analyzer type", "english"), ("char_filter", "html_strip"),
        ("filter", "asciifolding"), ("filter", "lowercase"), ("filter type", "stop"), ("tokenizer", "ik_max_word"),
    ]
    assert checks[("analyzer", "ik_smart")]["request"] == {"analyzer": "ik_smart", "text": "x"}
    assert checks[("analyzer", "ik_smart")]["users"] == ["field b"]
    assert checks[("tokenizer", "ik_max_word")] == dict(
        kind="tokenizer", name="ik_max_word", users=["analyzer my", "analyzer other"],
        request={"tokenizer": "ik_max_word", "text": "x"},
    )
    assert checks[("filter", "asciifolding")]["users"] == ["normalizer fold"]
    html_strip = {"tokenizer": "standard", "char_filter": ["html_strip"], "text": "x"}
    assert checks[("char_filter", "html_strip")]["request"] == html_strip
    # a component the index defines is tried with its whole definition, so its type is what is checked
    my_stop = {"tokenizer": "standard", "text": "x", "filter": [{"type": "stop", "stopwords": ["a"]}]}
    assert checks[("filter type", "stop")]["request"] == my_stop
    assert checks[("filter type", "stop")]["users"] == ["filter my_stop"]


def test_no_checks_when_nothing_is_referenced():
    assert analysis_checks({"properties": {"a": {"type": "keyword"}}}, {}) == []


# --- reading the server's answers, and the message ---------------------------------------------------------


def test_not_resolvable_recognises_the_missing_component_errors_only():
    missing = {"error": {"type": "illegal_argument_exception", "reason": "failed to find global analyzer [ik_smart]"}}
    assert not_resolvable(missing)
    assert not_resolvable({"error": {"reason": "failed to find global tokenizer under [ik_max_word]"}})
    assert not not_resolvable({"error": {"reason": "synonym requires either `synonyms` or `synonyms_path`"}})
    assert not not_resolvable("text body") and not not_resolvable({"error": "oops"}) and not not_resolvable(None)


def test_unknown_type_in_reads_nested_causes():
    body = {"error": {"type": "illegal_argument_exception", "reason": "template after composition is invalid",
                      "caused_by": {"type": "mapper_parsing_exception",
                                    "reason": "No handler for type [foo] declared on field [f]"}}}
    assert unknown_type_in(body, "foo")
    assert not unknown_type_in(body, "bar")


def test_preflight_message_names_everything_with_its_users_and_the_plugin():
    message = preflight_message("product_info", [
        ("analyzer", "ik_smart", ["field productName", "field describe"]),
        ("tokenizer", "ik_max_word", ["analyzer my"]),
        ("field type", "foo", ["field bar"]),
    ])
    assert "Preflight for index product_info" in message
    assert "analyzer [ik_smart] used by field productName, field describe" in message
    assert "tokenizer [ik_max_word] used by analyzer my" in message
    assert "field type [foo] used by field bar" in message
    assert "Nothing was created" in message
    assert "analysis-ik" in message and "every destination node" in message and "mappings" in message
    generic = preflight_message("i", [("field type", "foo", ["field bar"])])
    assert "the analysis or mapper plugin that provides them" in generic
