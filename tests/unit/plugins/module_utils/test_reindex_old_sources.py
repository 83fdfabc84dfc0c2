"""Unit tests for the request parts of _reindex.py that old sources and newer destinations need: several mapping
types, script, pipeline, routing and data streams (real nodes: tests/integration/test_old_sources.py)."""

from __future__ import annotations

import pytest

from ansible_collections.esops.migration.plugins.module_utils._reindex import (
    build_reindex_body,
    combine_queries,
    data_stream_problems,
    dest_template_problems,
    matching_template,
    multi_type_problem,
    script_problems,
    supports_data_streams,
    type_clause,
    type_job_script,
)

REMOTE = {"host": "http://old:9200"}


def test_script_pipeline_and_routing_go_where_the_reindex_api_reads_them():
    script = {"source": "ctx._source.remove('a')", "lang": "painless", "params": {"x": 1}}
    body = build_reindex_body(REMOTE, "src", "dst", script=script, pipeline="p1", routing="=r1")
    assert body["script"] == script
    assert body["dest"] == {"index": "dst", "op_type": "create", "pipeline": "p1", "routing": "=r1"}
    assert "script" not in build_reindex_body(REMOTE, "src", "dst")
    assert build_reindex_body(REMOTE, "src", "dst", script={"source": "x", "lang": "painless", "params": None})[
        "script"] == {"source": "x", "lang": "painless"}


def test_one_copy_per_type_selects_its_type_with_a_query_on_type():
    assert type_clause(None) is None
    query = combine_queries(combine_queries({"match": {"a": 1}}, None), type_clause("tweet"))
    assert query == {"bool": {"filter": [{"match": {"a": 1}}, {"term": {"_type": "tweet"}}]}}


def test_prefix_ids_script_passes_the_type_as_a_parameter_and_keeps_the_users_script():
    alone = type_job_script(None, "prefix_ids", "user", "#")
    assert alone["params"] == {"esops_type": "user", "esops_type_separator": "#"}
    assert alone["source"].startswith("ctx._id = params.esops_type + params.esops_type_separator + ctx._id;")
    combined = type_job_script({"source": "ctx._source.remove('a')", "lang": "painless", "params": {"k": 2}},
                               "prefix_ids", "tweet", "/")
    assert combined["source"].endswith("ctx._source.remove('a')")
    assert combined["params"] == {"k": 2, "esops_type": "tweet", "esops_type_separator": "/"}
    assert type_job_script({"source": "s", "lang": "painless"}, "index_per_type", "tweet", "#") == {
        "source": "s", "lang": "painless"}
    assert type_job_script(None, "prefix_ids", None, "#") is None  # a one-type index is copied as usual


def test_several_types_are_refused_until_a_strategy_is_chosen():
    types = {"multi": ["tweet", "user"]}
    refused = multi_type_problem(types, "Elasticsearch 5.6.16", "refuse", "{index}")
    assert "multi has tweet, user" in refused and "type_strategy" in refused and "Nothing was copied" in refused
    assert "{type}" in multi_type_problem(types, "Elasticsearch 5.6.16", "index_per_type", "{index}")
    assert multi_type_problem(types, "Elasticsearch 5.6.16", "index_per_type", "{index}-{type}") is None
    assert multi_type_problem(types, "Elasticsearch 5.6.16", "prefix_ids", "{index}") is None
    assert multi_type_problem({}, "Elasticsearch 5.6.16", "refuse", "{index}") is None


def test_type_in_the_destination_template_is_a_valid_name_part():
    assert dest_template_problems("{index}-{type}") == []


@pytest.mark.parametrize("script, strategy, separator, word", [
    ({"source": " "}, "refuse", "#", "script.source is empty"),
    ({"source": "x", "lang": "expression"}, "prefix_ids", "#", "must be painless"),
    (None, "prefix_ids", "", "type_separator is empty"),
    ({"source": "x", "params": {"esops_type": 1}}, "refuse", "#", "rename them"),
])
def test_script_and_type_options_that_cannot_work(script, strategy, separator, word):
    assert any(word in problem for problem in script_problems(script, strategy, separator))


def test_script_and_type_options_that_work():
    assert script_problems({"source": "x", "lang": "painless"}, "prefix_ids", "#") == []
    assert script_problems(None, "refuse", "#") == []


@pytest.mark.parametrize("product, version, has", [
    ("elasticsearch", (7, 8, 1), False), ("elasticsearch", (7, 9, 0), True), ("elasticsearch", (6, 8, 23), False),
    ("opensearch", (1, 3, 20), True), ("opensearch", (3, 8, 0), True),
])
def test_data_streams_exist_from_7_9_and_on_opensearch(product, version, has):
    assert supports_data_streams(product, version) is has


def test_data_streams_take_mode_create_only():
    assert data_stream_problems(["logs"], "create", "elasticsearch", (9, 5, 0)) == []
    assert data_stream_problems([], "sync", "elasticsearch", (9, 5, 0)) == []
    overwrite = data_stream_problems(["logs"], "overwrite", "opensearch", (3, 8, 0))
    assert "op_type create" in overwrite[0] and "use mode create" in overwrite[0]
    sync = data_stream_problems(["logs"], "sync", "elasticsearch", (8, 15, 0))
    assert "external versions" in sync[0] and "9.5" not in sync[0]


def test_on_elasticsearch_9_5_sync_into_a_data_stream_is_refused_saying_the_server_would_refuse_it():
    # Elasticsearch 9.5 validates op_type create with version_type external before the reindex starts
    # (elastic/elasticsearch#145290): action_request_validation_exception "Validation Failed: 1: create
    # operations do not support explicit versions. use index instead;".
    sync = data_stream_problems(["logs"], "sync", "elasticsearch", (9, 5, 0))
    assert "Elasticsearch 9.5 and later refuses such a reindex before it starts" in sync[0]


def test_the_template_that_applies_is_the_matching_one_with_the_highest_priority():
    templates = [
        {"name": "plain", "index_template": {"index_patterns": ["logs-*"], "priority": 1}},
        {"name": "stream", "index_template": {"index_patterns": ["logs-app*"], "priority": 5, "data_stream": {}}},
        {"name": "other", "index_template": {"index_patterns": ["metrics-*"], "priority": 9, "data_stream": {}}},
    ]
    assert "data_stream" in matching_template(templates, "logs-app-1")
    assert "data_stream" not in matching_template(templates, "logs-web")
    assert matching_template(templates, "books") is None
