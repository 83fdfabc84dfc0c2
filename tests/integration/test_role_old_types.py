"""The role with an Elasticsearch 5.6.16 source index holding two mapping types whose ids repeat, on real nodes.

Into Elasticsearch 7.17.29 (the assembly without lang-painless): refused by the preflight with the default strategy,
copied one index per type with remote_reindex_type_strategy index_per_type (each type's mapping, every document,
verified per type, a rerun changes nothing), and prefix_ids refused before any change because the destination has
no painless. Into Elasticsearch 6.8.23 (every module): prefix_ids, ids <type>#<id> in one index whose mapping merges
the types (es_index creating a typeless index on 6.8), verified by prefixed id. es_index alone on 6.8: create, rerun,
check mode, a field added.

The destinations allow the source in their YAML before they start (the whitelist edit and restart are proven by
test_role_cross_product); the role checks the loaded setting instead (remote_reindex_manage_whitelist false).
"""

from __future__ import annotations

import re

import pytest

from esops_testbed import eslocal
from esops_testbed.cluster_support import PORT_BASE, PREFIX
from esops_testbed.support import REPO_ROOT, ensure_collection_tree, run_module, run_playbook

ensure_collection_tree()

from ansible_collections.esops.migration.plugins.module_utils._cluster import connect_cluster, path  # noqa: E402

MIGRATE = REPO_ROOT / "playbooks" / "migrate.yml"
ES5, ES7, ES6 = "elasticsearch-5.6.16", "elasticsearch-7.17.29", "elasticsearch-6.8.23"
# name suffix, port offset (new: 400, 410, 420), heap
SERVERS = {ES5: ("ty-es56", 400, "256m"), ES7: ("ty-es7", 410, "256m"), ES6: ("ty-es68", 420, "320m")}
MULTI = "multi"
# Ids 1 and 2 are in both types: copied as they are, the users would overwrite two tweets.
TWEETS = {"1": {"msg": "hello", "n": 1}, "2": {"msg": "world", "n": 2}, "3": {"msg": "again", "n": 3}}
USERS = {"1": {"name": "ann", "n": 10}, "2": {"name": "bob", "n": 20}}
TWEET_MAPPING = {"properties": {"msg": {"type": "text"}, "n": {"type": "long"}}}
USER_MAPPING = {"properties": {"name": {"type": "keyword"}, "n": {"type": "long"}}}


def name_of(server):
    return "%s-%s" % (PREFIX, SERVERS[server][0])


def connection(server):
    info = eslocal.info(name_of(server))
    return dict(hosts=[info["url"]], username=info["username"] or "", password=info["password"] or "")


def cluster(server):
    return connect_cluster({key: value for key, value in connection(server).items() if value})


@pytest.fixture(scope="module")
def servers():
    """5.6.16 with the two-type index, 7.17.29 and 6.8.23 whitelisting it, started at once, destroyed at the end."""
    metas = []
    for server, (_suffix, offset, heap) in SERVERS.items():
        eslocal.destroy(name_of(server))
        metas.append(eslocal.create_cluster(name_of(server), http_port=PORT_BASE + offset, heap=heap, server=server))
    try:
        for server in (ES7, ES6):
            config = eslocal.cluster_nodes(eslocal.load_cluster(name_of(server)))[0].config_file
            config.write_text(config.read_text() + '\nreindex.remote.whitelist: "127.0.0.1:%d"\n'
                              % (PORT_BASE + SERVERS[ES5][1]))
        eslocal.start_clusters(metas, timeout=2 * eslocal.START_TIMEOUT)
        es5 = cluster(ES5)
        es5.request("PUT", path(MULTI), body={"settings": {"number_of_shards": 1, "number_of_replicas": 0},
                                              "mappings": {"tweet": TWEET_MAPPING, "user": USER_MAPPING}})
        for doc_type, docs in (("tweet", TWEETS), ("user", USERS)):
            for doc_id, doc in docs.items():
                es5.request("PUT", path(MULTI, doc_type, doc_id), body=doc)
        es5.request("POST", path(MULTI, "_refresh"))
        yield
    finally:
        for server in SERVERS:
            eslocal.destroy(name_of(server))


def run_role(tmp_path, dest, strategy=None, dest_index=None):
    inventory = tmp_path / "hosts.yml"
    inventory.write_text("all:\n  children:\n    es_dest_nodes:\n      hosts:\n        dest-node-0:\n"
                         "          ansible_connection: local\n")
    source, target = connection(ES5), connection(dest)
    item = {"source": MULTI, "copy_from": True, "settings": {"number_of_replicas": 0}}
    if dest_index:
        item["dest"] = dest_index
    extra_vars = dict(
        remote_reindex_source_url=source["hosts"][0],
        remote_reindex_dest_hosts=target["hosts"],
        remote_reindex_dest_username=target["username"],
        remote_reindex_dest_password=target["password"],
        remote_reindex_manage_whitelist=False,
        remote_reindex_verify_level="content",
        remote_reindex_indices=[item],
    )
    if strategy:
        extra_vars["remote_reindex_type_strategy"] = strategy
    return run_playbook(MIGRATE, inventory=str(inventory), extra_vars=extra_vars)


def recap(output):
    return {host: {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", counters)}
            for host, counters in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", output, re.M)}


def sources(target, index):
    target.request("POST", path(index, "_refresh"))
    return {hit["_id"]: hit["_source"] for hit in target.search(index, {"size": 100})["hits"]["hits"]}


def indices_of(target):
    return sorted(entry["index"] for entry in target.request("GET", "/_cat/indices", {"format": "json"})
                  if not entry["index"].startswith("."))


def assert_rerun_changes_nothing(run):
    assert run.rc == 0, run.output[-5000:]
    counters = recap(run.output)
    assert counters and all(host["changed"] == 0 and host["failed"] == 0 for host in counters.values()), counters
    assert "created=0" in run.output


@pytest.mark.slow
def test_multi_type_source_refused_then_copied_one_index_per_type_into_7_17(servers, tmp_path):
    es7 = cluster(ES7)
    refused = run_role(tmp_path, ES7)
    assert refused.rc != 0
    assert "Source index multi holds several mapping types (multi has tweet, user)" in refused.output, (
        refused.output[-3000:])
    assert "index_per_type" in refused.output and "prefix_ids" in refused.output
    assert "nothing was changed" in refused.output and indices_of(es7) == []

    first = run_role(tmp_path, ES7, "index_per_type")
    assert first.rc == 0, first.output[-5000:]
    assert indices_of(es7) == ["multi-tweet", "multi-user"]
    # each index has its type's mapping and its type's documents, the repeated ids 1 and 2 in both
    assert es7.mappings("multi-tweet")["multi-tweet"] == TWEET_MAPPING
    assert es7.mappings("multi-user")["multi-user"] == USER_MAPPING
    assert sources(es7, "multi-tweet") == TWEETS and sources(es7, "multi-user") == USERS
    # the role verified both indices (content) and reports the figures of the copy as one index
    assert re.search(r"multi -> multi-\{type\}: total=5 created=5 .*verify: source 5 = destination 5", first.output), (
        first.output[-3000:])
    assert_rerun_changes_nothing(run_role(tmp_path, ES7, "index_per_type"))


@pytest.mark.slow
def test_prefix_ids_refused_before_any_change_on_a_destination_without_painless(servers, tmp_path):
    es7 = cluster(ES7)
    before = indices_of(es7)
    run = run_role(tmp_path, ES7, "prefix_ids", dest_index="multi-prefixed")
    assert run.rc != 0
    assert "has no lang-painless module" in run.output, run.output[-3000:]
    assert "Elasticsearch 7.17.29" in run.output and "script_lang not supported [painless]" in run.output
    assert "Nothing was changed" in run.output and indices_of(es7) == before


@pytest.mark.slow
def test_multi_type_source_copied_with_ids_prefixed_into_6_8(servers, tmp_path):
    es6 = cluster(ES6)
    first = run_role(tmp_path, ES6, "prefix_ids", dest_index="multi-merged")
    assert first.rc == 0, first.output[-5000:]
    merged = es6.mappings("multi-merged")["multi-merged"]["properties"]
    assert merged == dict(TWEET_MAPPING["properties"], **USER_MAPPING["properties"])
    wanted = {"tweet#" + doc_id: doc for doc_id, doc in TWEETS.items()}
    wanted.update({"user#" + doc_id: doc for doc_id, doc in USERS.items()})
    assert sources(es6, "multi-merged") == wanted
    assert re.search(r"total=5 created=5 .*verify: source 5 = destination 5", first.output), first.output[-3000:]
    assert_rerun_changes_nothing(run_role(tmp_path, ES6, "prefix_ids", dest_index="multi-merged"))


@pytest.mark.slow
def test_es_index_creates_and_updates_a_typeless_index_on_6_8(servers):
    es6 = cluster(ES6)
    args = dict(connection(ES6), name="plain68", settings={"number_of_shards": 1, "number_of_replicas": 0},
                mappings=TWEET_MAPPING)
    checked = run_module("esops.migration.es_index", args, check=True)
    assert checked.result["changed"] is True and checked.result["created"] is True, checked.result
    assert not es6.exists(path("plain68"))
    created = run_module("esops.migration.es_index", args)
    assert created.result["changed"] is True and not created.result.get("failed"), created.result
    assert es6.mappings("plain68")["plain68"] == TWEET_MAPPING
    # 6.8 keeps the mapping under its single type _doc; read back typeless, the rerun finds nothing to change
    assert list(es6.request("GET", path("plain68", "_mapping"))["plain68"]["mappings"]) == ["_doc"]
    again = run_module("esops.migration.es_index", args)
    assert again.result["changed"] is False and not again.result.get("failed"), again.result
    # an index without aliases: 6.8 with security answers GET <index>/_alias with 404, es_index reads GET <index>
    wider = dict(args, mappings={"properties": dict(TWEET_MAPPING["properties"], tag={"type": "keyword"})},
                 aliases={"plain68-alias": {}})
    updated = run_module("esops.migration.es_index", wider)
    assert updated.result["changed"] is True and updated.result["fields_added"] == ["tag"], updated.result
    assert updated.result["aliases_changed"] == ["plain68-alias"]
    assert es6.mappings("plain68")["plain68"]["properties"]["tag"] == {"type": "keyword"}
    assert run_module("esops.migration.es_index", wider).result["changed"] is False
