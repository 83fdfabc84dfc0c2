"""The modules across products and versions, on real nodes: an Elasticsearch 6.8.23 source (security on) and an
OpenSearch 2.19.6 destination. es_index copy_from (typed 6.x mapping to a typeless OpenSearch index), es_reindex
from remote, es_verify count and content (scroll on both sides), and the connection layer's choice of library."""

from __future__ import annotations

import pytest

from esops_testbed import eslocal
from esops_testbed.cluster_support import PORT_BASE, PREFIX
from esops_testbed.support import ensure_collection_tree, run_module

ensure_collection_tree()

from ansible_collections.esops.migration.plugins.module_utils._cluster import connect_cluster, path  # noqa: E402

ES6, OS2 = "elasticsearch-6.8.23", "opensearch-2.19.6"
NAMES = {ES6: PREFIX + "-xp-es6823", OS2: PREFIX + "-xp-os2196"}
# Clear of every other test's HTTP ports and of the transport ports (HTTP + 100) of the session clusters.
PORTS = {ES6: PORT_BASE + 260, OS2: PORT_BASE + 270}
INDEX = "products"
DOCS = {str(number): {"name": "product %d" % number, "price": number * 1.5, "tags": ["t%d" % (number % 3)]}
        for number in range(1, 41)}
MAPPINGS = {"properties": {"name": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
                           "price": {"type": "float"}, "tags": {"type": "keyword"}}}


def connection(name):
    info = eslocal.info(name)
    return dict(hosts=[info["url"]], username=info["username"], password=info["password"])


@pytest.fixture(scope="module")
def servers():
    """A fresh 6.8.23 source with a typed index and a 2.19.6 destination that allows it; destroyed at the end."""
    metas = []
    for server, name in NAMES.items():
        eslocal.destroy(name)
        metas.append(eslocal.create_cluster(name, http_port=PORTS[server], heap="384m", server=server))
    try:
        eslocal.start_clusters(metas)
        source_url = eslocal.info(NAMES[ES6])["url"]
        dest_meta = eslocal.load_cluster(NAMES[OS2])
        config = eslocal.cluster_nodes(dest_meta)[0].config_file
        config.write_text(config.read_text() + '\nreindex.remote.allowlist: "%s"\n' % source_url.split("://", 1)[1])
        eslocal.restart(NAMES[OS2])
        source = connect_cluster(connection(NAMES[ES6]))
        source.request("PUT", path(INDEX), body={"settings": {"number_of_shards": 2, "number_of_replicas": 0},
                                                 "mappings": {"_doc": MAPPINGS}})
        for doc_id, doc in DOCS.items():
            source.request("PUT", path(INDEX, "_doc", doc_id), body=doc)
        source.request("POST", path(INDEX, "_refresh"))
        yield {"source": connection(NAMES[ES6]), "dest": connection(NAMES[OS2]), "source_url": source_url}
    finally:
        for name in NAMES.values():
            eslocal.destroy(name)


@pytest.mark.slow
def test_each_server_gets_the_library_made_for_it(servers):
    source, dest = connect_cluster(servers["source"]), connect_cluster(servers["dest"])
    assert (source.product, source.version, source.library) == ("elasticsearch", (6, 8, 23), "opensearch")
    assert (dest.product, dest.version, dest.library) == ("opensearch", (2, 19, 6), "opensearch")
    assert source.mappings(INDEX)[INDEX] == MAPPINGS  # the _doc type level is gone
    assert source.search(INDEX, {"size": 0})["hits"]["total"] == len(DOCS)  # a number on 6.x


@pytest.mark.slow
def test_migration_from_elasticsearch_6_to_opensearch_2(servers):
    dest = connect_cluster(servers["dest"])
    created = run_module("es_index", dict(servers["dest"], name=INDEX, copy_from=dict(
        servers["source"], index=INDEX), settings={"number_of_replicas": 0})).result
    assert created.get("created") is True and not created.get("failed"), created
    assert dest.mappings(INDEX)[INDEX]["properties"] == MAPPINGS["properties"]
    assert dest.request("GET", path(INDEX, "_settings"), {"flat_settings": True})[INDEX]["settings"][
        "index.number_of_shards"] == "2"

    again = run_module("es_index", dict(servers["dest"], name=INDEX, copy_from=dict(
        servers["source"], index=INDEX), settings={"number_of_replicas": 0})).result
    assert again["changed"] is False, again

    copied = run_module("es_reindex", dict(servers["dest"], remote=dict(
        host=servers["source_url"], username=servers["source"]["username"], password=servers["source"]["password"]),
        source_index=[INDEX], dest_index=INDEX)).result
    assert not copied.get("failed") and copied["created"] == len(DOCS), copied
    assert dest.count(INDEX) == len(DOCS)

    for level in ("count", "content"):
        verified = run_module("es_verify", dict(servers["dest"], source=dict(servers["source"], index=INDEX),
                                                dest_index=INDEX, level=level)).result
        assert verified["match"] is True and not verified.get("failed"), verified
        assert (verified["source_count"], verified["dest_count"]) == (len(DOCS), len(DOCS))

    dest.request("POST", path(INDEX, "_update", "7"), {"refresh": True}, {"doc": {"price": 0}})
    dest.request("DELETE", path(INDEX, "_doc", "8"), {"refresh": True})
    broken = run_module("es_verify", dict(servers["dest"], source=dict(servers["source"], index=INDEX),
                                          dest_index=INDEX, level="content")).result
    assert broken["failed"] and broken["missing_ids"] == ["8"] and broken["mismatched_ids"] == ["7"], broken
