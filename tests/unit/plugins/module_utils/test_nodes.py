"""Which destination nodes coordinate the copies, and which copy starts where (pure helpers of _nodes.py)."""

from __future__ import annotations

from ansible_collections.esops.migration.plugins.module_utils._nodes import (
    given_nodes,
    http_nodes,
    publish_url,
    round_robin,
    scheme_of,
    task_node_id,
)

# GET _nodes/http of a 7.17 cluster: three data nodes (one publishing hostname/ip:port) and a dedicated master.
NODES_HTTP = {"nodes": {
    "c3": {"name": "dest-2", "roles": ["data", "ingest", "master"], "http": {"publish_address": "127.0.0.1:9202"}},
    "a1": {"name": "dest-0", "roles": ["data", "master"], "http": {"publish_address": "127.0.0.1:9200"}},
    "b2": {"name": "dest-1", "roles": ["data"], "http": {"publish_address": "es-1.internal/10.0.0.2:9200"}},
    "m9": {"name": "master-only", "roles": ["master", "voting_only"], "http": {"publish_address": "10.0.0.9:9200"}},
    "x0": {"name": "no-http", "roles": ["data"]},
}}


def test_the_nodes_publishing_an_http_address_are_listed_by_name_without_master_only_nodes():
    assert http_nodes(NODES_HTTP, "https") == [
        dict(id="a1", name="dest-0", url="https://127.0.0.1:9200"),
        dict(id="b2", name="dest-1", url="https://10.0.0.2:9200"),
        dict(id="c3", name="dest-2", url="https://127.0.0.1:9202"),
    ]


def test_master_only_nodes_coordinate_when_there_is_no_other_node():
    answer = {"nodes": {"m9": NODES_HTTP["nodes"]["m9"]}}
    assert [node["id"] for node in http_nodes(answer)] == ["m9"]


def test_an_empty_answer_lists_no_node():
    assert http_nodes({}) == [] and http_nodes(None) == []


def test_publish_addresses_with_a_hostname_or_ipv6_become_urls():
    assert publish_url("http", "es-1/10.0.0.2:9200") == "http://10.0.0.2:9200"
    assert publish_url("https", "[::1]:9200") == "https://[::1]:9200"


def test_copy_i_starts_on_node_i_mod_n():
    nodes = ["n0", "n1", "n2"]
    assert round_robin(7, nodes) == ["n0", "n1", "n2", "n0", "n1", "n2", "n0"]
    assert round_robin(2, nodes) == ["n0", "n1"]
    assert round_robin(3, []) == [None, None, None]


def test_the_node_of_a_task_is_the_part_before_the_colon():
    assert task_node_id("a1:1234") == "a1"
    assert task_node_id(None) is None and task_node_id("nonsense") is None


def test_the_scheme_follows_the_modules_first_host():
    assert scheme_of(["https://es:9200", "http://other:9200"]) == "https"
    assert scheme_of(["es:9200"]) == "http"
    assert scheme_of(None) == "http"


def test_given_nodes_have_no_id_until_the_cluster_tells():
    assert given_nodes(["http://a:9200/"]) == [dict(id=None, name=None, url="http://a:9200")]
