"""The destination cluster is the engine: es_reindex spreads its tasks over the destination's nodes, and picks a
batch size that fits the remote's 100 MB response buffer.

A reindex task is coordinated by the node that received its request. With partitions, the module sends task i to
node i mod 3 of a three-node 7.17.29 destination, although it is given only the first node's address: the Tasks
API shows the tasks on three distinct nodes, and the destination equals the source.

Large documents (36 of 3 MiB, 113 MB in all): one batch of all of them overflows the destination's buffer for the
remote's answer ("Remote responded with a chunk that was too large"); the module runs the copy again with half
the size, and size auto computes a size that never overflows.

Clusters: <prefix>-engine-dest (3 nodes) on ESOPS_IT_PORT+750..752 (transport +850..852), <prefix>-engine-big on
+760 (transport +860); the session source cluster is the source of the partitioned copy.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch, helpers

from esops_testbed import eslocal
from esops_testbed.cluster_support import PORT_BASE, PREFIX, Cluster, set_whitelist_line
from esops_testbed.support import run_module

DEST = PREFIX + "-engine-dest"
BIG = PREFIX + "-engine-big"
PORTS = {DEST: PORT_BASE + 750, BIG: PORT_BASE + 760}
SPREAD_INDEX = "engine_spread"
SPREAD_DOCS = 3000
BIG_INDEX = "engine_big"
BIG_DOCS = 36
BIG_DOC_CHARS = 3 * 1024 * 1024  # random hex: the store barely compresses it, like the JSON the remote sends
BUFFER_LIMIT = 100 * 1024 * 1024  # the destination's buffer for one answer of the remote (RemoteScrollableHitSource)
BLOB_MAPPING = {"properties": {"n": {"type": "integer"}, "blob": {"type": "object", "enabled": False}}}


@pytest.fixture(scope="module")
def engine(source):
    """A three-node destination (whitelisting the session source and the big source on every node) and a source
    with large documents; both stopped at the end."""
    metas = []
    for name, nodes, heap in ((DEST, 3, "768m"), (BIG, 1, "1g")):
        eslocal.destroy(name)
        metas.append(eslocal.create_cluster(name, nodes=nodes, http_port=PORTS[name], heap=heap))
    for node in eslocal.info(DEST)["nodes"]:
        set_whitelist_line(Path(node["config_file"]), "%s, 127.0.0.1:%d" % (source.host_port, PORTS[BIG]))
    try:
        eslocal.start_clusters(metas)
        data = eslocal.info(DEST)
        client = Elasticsearch(data["urls"], basic_auth=(data["username"], data["password"]), request_timeout=120)
        client.cluster.health(wait_for_nodes="3", timeout="60s")
        big = Cluster(BIG)
        load_big_documents(big)
        yield dict(dest=Cluster(DEST), client=client, big=big, urls=data["urls"])
    finally:
        for name in (DEST, BIG):
            eslocal.stop(name)


def load_big_documents(big):
    big.client.indices.create(index=BIG_INDEX, mappings=BLOB_MAPPING,
                              settings={"number_of_shards": 1, "number_of_replicas": 0})
    for n in range(BIG_DOCS):  # one at a time: a bulk of them would pass http.max_content_length
        blob = os.urandom(BIG_DOC_CHARS // 2).hex()
        big.client.index(index=BIG_INDEX, id="big%d" % n, document={"n": n, "blob": blob})
    big.client.indices.refresh(index=BIG_INDEX)


@pytest.fixture(scope="module")
def spread_source(source):
    client = source.client.options(ignore_status=404)
    client.indices.delete(index=SPREAD_INDEX)
    source.client.indices.create(index=SPREAD_INDEX, settings={"number_of_shards": 1, "number_of_replicas": 0})
    docs = ({"_index": SPREAD_INDEX, "_id": "s%d" % n, "_source": {"n": n, "name": "item %d" % n}}
            for n in range(SPREAD_DOCS))
    helpers.bulk(source.client, docs, refresh=True)
    yield source
    client.indices.delete(index=SPREAD_INDEX)


def test_partition_tasks_run_on_every_node_of_a_three_node_destination(engine, spread_source):
    dest, client = engine["dest"], engine["client"]
    args = dict(dest.connection(), remote=dict(host=spread_source.url, username=spread_source.username,
                                               password=spread_source.password),
                source_index=[SPREAD_INDEX], dest_index="engine_spread_copy", partitions=3, partition_field="n",
                max_concurrent=3, size=200, poll_interval=0.5)
    assert args["hosts"] == [engine["urls"][0]]  # the module is given the first node only

    result = run_module("es_reindex", args).result

    assert not result.get("failed"), result.get("msg")
    assert result["created"] == SPREAD_DOCS
    node_names = {node_id: node["name"] for node_id, node in client.nodes.info()["nodes"].items()}
    # What the Tasks API says of each task (the module asked with wait_for_completion=false: the results are stored)
    ran_on = {task_id: client.tasks.get(task_id=task_id)["task"]["node"] for task_id in result["task_ids"]}
    assert len(ran_on) == len(result["copies"]) == 4  # 3 ranges and the documents lacking the field
    assert set(ran_on.values()) == set(node_names)  # all three nodes coordinated a task
    for copy in result["copies"]:
        assert copy["node_id"] == ran_on[copy["task_id"]]
        assert copy["node"] == node_names[copy["node_id"]]
        assert copy["started_on"] in engine["urls"]
    assert sorted(result["nodes"]) == sorted(node_names.values())
    assert sorted(task for tasks in result["nodes"].values() for task in tasks) == sorted(result["task_ids"])

    verify = dict(dest.connection(), source=dict(spread_source.connection(), index=SPREAD_INDEX),
                  dest_index="engine_spread_copy", level="content")
    verified = run_module("es_verify", verify).result
    assert not verified.get("failed"), verified.get("msg")
    assert verified["match"] is True, verified.get("msg")


def big_copy_args(engine, dest_index, size):
    big = engine["big"]
    client = engine["client"].options(ignore_status=404)
    client.indices.delete(index=dest_index)
    engine["client"].indices.create(index=dest_index, mappings=BLOB_MAPPING,
                                    settings={"number_of_shards": 1, "number_of_replicas": 0})
    return dict(engine["dest"].connection(), remote=dict(host=big.url, username=big.username, password=big.password),
                source_index=[BIG_INDEX], dest_index=dest_index, size=size, poll_interval=0.5)


def verify_ids(engine, dest_index):
    big = engine["big"]
    args = dict(engine["dest"].connection(), source=dict(big.connection(), index=BIG_INDEX), dest_index=dest_index,
                level="ids")
    return run_module("es_verify", args).result


def test_a_batch_too_large_for_the_remote_buffer_is_retried_with_half_the_size(engine):
    size = BIG_DOCS  # every document in one batch: 36 x 3 MiB, more than the 100 MB buffer
    assert size * BIG_DOC_CHARS > BUFFER_LIMIT > size // 2 * BIG_DOC_CHARS

    result = run_module("es_reindex", big_copy_args(engine, "engine_big_halved", size)).result

    assert not result.get("failed"), result.get("msg")
    copy = result["copies"][0]
    assert copy["halved_from"] == [size]
    assert copy["size"] == size // 2
    attempts = result["retried"][0]["attempts"]
    assert len(attempts) == 1
    assert "Remote responded with a chunk that was too large" in attempts[0]["error"]
    assert result["created"] == BIG_DOCS
    verified = verify_ids(engine, "engine_big_halved")
    assert verified["match"] is True, verified.get("msg")


def test_size_auto_chooses_a_batch_that_fits_the_buffer(engine):
    result = run_module("es_reindex", big_copy_args(engine, "engine_big_auto", "auto")).result

    assert not result.get("failed"), result.get("msg")
    copy = result["copies"][0]
    seen = copy["size_auto"]
    assert seen["docs"] == BIG_DOCS
    assert seen["average_doc_bytes"] >= BIG_DOC_CHARS // 2  # the store of random hex is about the JSON's size
    assert copy["size"] == seen["size"] == 10 * 1024 * 1024 // seen["average_doc_bytes"]
    assert copy["size"] * BIG_DOC_CHARS < BUFFER_LIMIT
    assert copy["halved_from"] == [] and result["retried"] == []
    assert result["batches"] >= BIG_DOCS // copy["size"]
    assert result["created"] == BIG_DOCS
    verified = verify_ids(engine, "engine_big_auto")
    assert verified["match"] is True, verified.get("msg")
