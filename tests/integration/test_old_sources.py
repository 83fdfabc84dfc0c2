"""Old sources on real nodes: an Elasticsearch 5.6.16 source (an index with two mapping types whose ids repeat,
and a one-type index) copied into OpenSearch 3.8.0 (painless, ingest-common, data streams, point in time with
_shard_doc) and into Elasticsearch 6.8.23.

es_index copy_from and es_reindex refuse the multi-type index until a strategy is chosen, then copy it one index per
type or with ids prefixed by the type; es_reindex's script, dest pipeline, dest routing and data stream destination
change what lands on the destination; es_verify compares a 5.6 source with 6.8 (scroll on both sides) and with
OpenSearch 3.8.0 (point in time). Each test runs its modules as tasks of one playbook.
"""

from __future__ import annotations

import pytest

from esops_testbed import eslocal
from esops_testbed.cluster_support import PORT_BASE, PREFIX
from esops_testbed.support import ensure_collection_tree, run_tasks

ensure_collection_tree()

from ansible_collections.esops.migration.plugins.module_utils._cluster import connect_cluster, path  # noqa: E402

ES5, OS3, ES6 = "elasticsearch-5.6.16", "opensearch-3.8.0", "elasticsearch-6.8.23"
NAMES = {ES5: PREFIX + "-old-es5616", OS3: PREFIX + "-old-os380", ES6: PREFIX + "-old-es6823"}
# Clear of the other test files' ports (PORT_BASE + 0..32, 40..80, 90, 100, 110).
PORTS = {ES5: PORT_BASE + 120, OS3: PORT_BASE + 130, ES6: PORT_BASE + 140}
HEAP = {ES5: "256m", OS3: "384m", ES6: "320m"}

MULTI = "multi"
# Ids 1 and 2 exist in both types: copied as they are, the user documents would overwrite two tweets.
TWEETS = {"1": {"msg": "hello", "n": 1}, "2": {"msg": "world", "n": 2}, "3": {"msg": "again", "n": 3}}
USERS = {"1": {"name": "ann", "n": 10}, "2": {"name": "bob", "n": 20}}
BOOKS = "books"
BOOK_DOCS = {str(number): {"title": "Book %d" % number, "year": 1990 + number, "obsolete": "x",
                           "@timestamp": "2020-01-%02dT00:00:00Z" % number} for number in range(1, 21)}


def connection(server):
    info = eslocal.info(NAMES[server])
    options = dict(hosts=[info["url"]])
    if info["username"]:
        options.update(username=info["username"], password=info["password"])
    return options


def allow_remote(server, entry):
    """Add the allowlist (OpenSearch) or whitelist (Elasticsearch 6.8) line for the 5.6 source (node restarted)."""
    config = eslocal.cluster_nodes(eslocal.load_cluster(NAMES[server]))[0].config_file
    setting = "reindex.remote.allowlist" if server == OS3 else "reindex.remote.whitelist"
    config.write_text(config.read_text() + '\n%s: "%s"\n' % (setting, entry))
    eslocal.restart(NAMES[server])


def load_source(es5):
    es5.request("PUT", path(MULTI), body={
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": {"tweet": {"properties": {"msg": {"type": "text"}, "n": {"type": "long"}}},
                     "user": {"properties": {"name": {"type": "keyword"}, "n": {"type": "long"}}}}})
    for doc_type, docs in (("tweet", TWEETS), ("user", USERS)):
        for doc_id, doc in docs.items():
            es5.request("PUT", path(MULTI, doc_type, doc_id), body=doc)
    # index.mapping.single_type: a 5.6 setting (the 6.0 upgrade's) that OpenSearch 3 rejects; copy_from drops it
    es5.request("PUT", path(BOOKS), body={"settings": {"number_of_shards": 2, "number_of_replicas": 0,
                                                       "index.mapping.single_type": True}, "mappings": {
        "doc": {"properties": {"title": {"type": "keyword"}, "year": {"type": "integer"},
                               "obsolete": {"type": "keyword"}, "@timestamp": {"type": "date"}}}}})
    for doc_id, doc in BOOK_DOCS.items():
        es5.request("PUT", path(BOOKS, "doc", doc_id), body=doc)
    for index in (MULTI, BOOKS):
        es5.request("POST", path(index, "_refresh"))


@pytest.fixture(scope="module")
def servers():
    """Fresh 5.6.16, OpenSearch 3.8.0 and 6.8.23 nodes, the two destinations allowing the 5.6 source."""
    metas = []
    for server, name in NAMES.items():
        eslocal.destroy(name)
        metas.append(eslocal.create_cluster(name, http_port=PORTS[server], heap=HEAP[server], server=server))
    try:
        eslocal.start_clusters(metas, timeout=2 * eslocal.START_TIMEOUT)
        source_url = eslocal.info(NAMES[ES5])["url"]
        for server in (OS3, ES6):
            allow_remote(server, source_url.split("://", 1)[1])
        clusters = {server: connect_cluster(connection(server)) for server in NAMES}
        load_source(clusters[ES5])
        yield dict(clusters=clusters, source_url=source_url)
    finally:
        for name in NAMES.values():
            eslocal.destroy(name)


def run_module_tasks(tasks):
    """Run module tasks ([(module, args)]) as one playbook; returns each task's result, in order."""
    return run_tasks(tasks)[1]


def remote(servers):
    return dict(host=servers["source_url"])


def sources(cluster, index):
    """{_id: _source} of every document of index (a refresh first)."""
    cluster.request("POST", path(index, "_refresh"))
    hits = cluster.search(index, {"size": 100})["hits"]["hits"]
    return {hit["_id"]: hit["_source"] for hit in hits}


@pytest.mark.slow
def test_multi_type_index_is_refused_then_copied_one_index_per_type(servers):
    os3, es5 = servers["clusters"][OS3], servers["clusters"][ES5]
    dest = connection(OS3)
    refused_index, refused_copy, tweets, users, copied, again = run_module_tasks([
        ("es_index", dict(dest, name="multi-all", copy_from=dict(connection(ES5), index=MULTI))),
        ("es_reindex", dict(dest, remote=remote(servers), source_index=[MULTI], dest_index="multi-all")),
        ("es_index", dict(dest, name="multi-tweet", copy_from=dict(connection(ES5), index=MULTI, mapping_type="tweet"),
                          settings={"number_of_replicas": 0})),
        ("es_index", dict(dest, name="multi-user", copy_from=dict(connection(ES5), index=MULTI, mapping_type="user"),
                          settings={"number_of_replicas": 0})),
        ("es_reindex", dict(dest, remote=remote(servers), source_index=[MULTI], dest_index="{index}-{type}",
                            type_strategy="index_per_type")),
        ("es_reindex", dict(dest, remote=remote(servers), source_index=[MULTI], dest_index="{index}-{type}",
                            type_strategy="index_per_type")),
    ])
    assert refused_index["failed"] and "tweet, user" in refused_index["msg"], refused_index
    assert refused_copy["failed"] and "several mapping types" in refused_copy["msg"], refused_copy
    assert "type_strategy" in refused_copy["msg"] and refused_copy["copies"] == []
    assert not os3.exists(path("multi-all"))  # neither refusal changed anything

    for created in (tweets, users):
        assert created["created"] is True and not created.get("failed"), created
    assert sorted(os3.mappings("multi-tweet")["multi-tweet"]["properties"]) == ["msg", "n"]
    assert sorted(os3.mappings("multi-user")["multi-user"]["properties"]) == ["n", "name"]

    assert not copied.get("failed") and copied["created"] == len(TWEETS) + len(USERS), copied
    assert sorted(copy["dest_index"] for copy in copied["copies"]) == ["multi-tweet", "multi-user"]
    assert sources(os3, "multi-tweet") == TWEETS
    assert sources(os3, "multi-user") == USERS
    assert again["changed"] is False and again["created"] == 0, again
    assert es5.count(MULTI) == len(TWEETS) + len(USERS)


@pytest.mark.slow
def test_multi_type_index_copied_with_ids_prefixed_by_type(servers):
    os3 = servers["clusters"][OS3]
    dest = connection(OS3)
    created, copied = run_module_tasks([
        ("es_index", dict(dest, name="multi-merged", copy_from=dict(connection(ES5), index=MULTI, merge_types=True),
                          settings={"number_of_replicas": 0})),
        ("es_reindex", dict(dest, remote=remote(servers), source_index=[MULTI], dest_index="multi-merged",
                            type_strategy="prefix_ids")),
    ])
    assert created["created"] is True and not created.get("failed"), created
    assert sorted(os3.mappings("multi-merged")["multi-merged"]["properties"]) == ["msg", "n", "name"]
    assert not copied.get("failed") and copied["created"] == len(TWEETS) + len(USERS), copied
    wanted = {"tweet#" + doc_id: doc for doc_id, doc in TWEETS.items()}
    wanted.update({"user#" + doc_id: doc for doc_id, doc in USERS.items()})
    assert sources(os3, "multi-merged") == wanted


@pytest.mark.slow
def test_script_pipeline_and_routing_change_what_lands_on_opensearch_3(servers):
    os3 = servers["clusters"][OS3]
    os3.request("PUT", "/_ingest/pipeline/mark-migrated", body={"processors": [
        {"set": {"field": "migrated_from", "value": "es5"}}, {"uppercase": {"field": "name"}}]})
    created, copied = run_module_tasks([
        ("es_index", dict(connection(OS3), name="books-shaped", copy_from=dict(connection(ES5), index=BOOKS),
                          settings={"number_of_replicas": 0}, mappings={"properties": {"name": {"type": "keyword"}}})),
        ("es_reindex", dict(connection(OS3), remote=remote(servers), source_index=[BOOKS], dest_index="books-shaped",
                            script=dict(source="ctx._source.name = ctx._source.remove(params.old); "
                                               "ctx._source.remove('obsolete')", params=dict(old="title")),
                            pipeline="mark-migrated", routing="=shelf1")),
    ])
    assert created["created"] is True and "index.mapping.single_type" in created["settings_dropped"], created
    settings = os3.request("GET", path("books-shaped", "_settings"), {"flat_settings": "true"})["books-shaped"]
    assert settings["settings"]["index.number_of_shards"] == "2"  # what the destination knows is copied
    assert not copied.get("failed") and copied["created"] == len(BOOK_DOCS), copied
    os3.request("POST", path("books-shaped", "_refresh"))
    hits = os3.search("books-shaped", {"size": 100})["hits"]["hits"]
    assert len(hits) == len(BOOK_DOCS)
    for hit in hits:
        source = BOOK_DOCS[hit["_id"]]
        # the script ran first (title renamed, obsolete dropped), then the pipeline (uppercase, new field)
        assert hit["_source"] == {"name": source["title"].upper(), "year": source["year"],
                                  "@timestamp": source["@timestamp"], "migrated_from": "es5"}, hit
        assert hit["_routing"] == "shelf1"


@pytest.mark.slow
def test_data_stream_destination_takes_mode_create_only(servers):
    os3 = servers["clusters"][OS3]
    os3.request("PUT", "/_index_template/books-stream", body={
        "index_patterns": ["books-stream*"], "data_stream": {}, "priority": 10,
        "template": {"settings": {"number_of_replicas": 0}}})
    args = dict(connection(OS3), remote=remote(servers), source_index=[BOOKS], dest_index="books-stream")
    sync, overwrite, created, again = run_module_tasks([
        ("es_reindex", dict(args, mode="sync")),
        ("es_reindex", dict(args, mode="overwrite")),
        ("es_reindex", dict(args, mode="create")),
        ("es_reindex", dict(args, mode="create")),
    ])
    assert sync["failed"] and "data stream" in sync["msg"] and "mode create" in sync["msg"], sync
    assert overwrite["failed"] and "data stream" in overwrite["msg"], overwrite
    assert sync["copies"] == [] and overwrite["copies"] == []
    assert not created.get("failed") and created["created"] == len(BOOK_DOCS), created
    streams = os3.request("GET", path("_data_stream", "books-stream"))["data_streams"]
    assert [stream["name"] for stream in streams] == ["books-stream"]
    assert os3.count("books-stream") == len(BOOK_DOCS)
    assert again["changed"] is False and again["version_conflicts"] == len(BOOK_DOCS), again


@pytest.mark.slow
def test_verify_5_6_source_against_6_8_and_opensearch_3_8(servers):
    clusters = servers["clusters"]
    verify = dict(source=dict(connection(ES5), index=BOOKS), dest_index=BOOKS, batch_size=6, sample_size=50)
    # OpenSearch 3.8.0 against itself with a point in time (5.6 has none): paged by _shard_doc, 4 pages of 6
    on_opensearch = dict(connection(OS3), source=dict(index=BOOKS), dest_index="books-copy", level="content",
                         stream_with="point_in_time", compare_mappings=False, batch_size=6)
    # 6.8 takes a typed mapping (created here); OpenSearch's index is created by es_index copy_from
    mapping = clusters[ES5].request("GET", path(BOOKS, "_mapping"))[BOOKS]["mappings"]
    clusters[ES6].request("PUT", path(BOOKS), body={"settings": {"number_of_replicas": 0}, "mappings": mapping})
    tasks = [("es_index", dict(connection(OS3), name=BOOKS, copy_from=dict(connection(ES5), index=BOOKS),
                               settings={"number_of_replicas": 0}))]
    tasks += [("es_reindex", dict(connection(server), remote=remote(servers), source_index=[BOOKS], dest_index=dest))
              for server, dest in ((ES6, BOOKS), (OS3, BOOKS), (OS3, "books-copy"))]
    tasks += [("es_verify", dict(connection(ES6), level=level, **verify))
              for level in ("count", "ids", "content", "sample")]
    tasks += [("es_verify", dict(connection(OS3), level="content", **verify)), ("es_verify", on_opensearch)]
    results = run_module_tasks(tasks)[1:]
    for copied in results[:3]:
        assert not copied.get("failed") and copied["created"] == len(BOOK_DOCS), copied
    for verified in results[3:]:
        assert verified.get("match") is True and not verified.get("failed"), verified.get("msg")
        assert (verified["source_count"], verified["dest_count"]) == (len(BOOK_DOCS), len(BOOK_DOCS))
    for verified in results[4:]:
        assert verified["compared"] == len(BOOK_DOCS), verified  # every document read, several pages of 6

    for server, update in ((ES6, path(BOOKS, "doc", "7", "_update")), (OS3, path(BOOKS, "_update", "7"))):
        clusters[server].request("POST", update, {"refresh": "true"}, {"doc": {"year": 1}})
    broken = run_module_tasks([
        ("es_verify", dict(connection(ES6), level="content", **verify)),
        ("es_verify", dict(connection(ES6), level="sample", **verify)),
        ("es_verify", dict(connection(OS3), level="content", **verify)),
        ("es_verify", on_opensearch),
    ])
    for result in broken:
        assert result["failed"] and result["mismatched_ids"] == ["7"], result
