"""CopyRunner starting each copy on its destination node, and running a copy whose batch overflowed the remote's
buffer again with half the size (scripted clusters: a node unreachable at its publish address, and the halving
count limit, cannot be made to happen on the nodes here at will; tests/integration/test_dest_engine.py shows both
features on real nodes)."""

from __future__ import annotations

from ansible_collections.esops.migration.plugins.module_utils._batch_size import MAX_HALVINGS
from ansible_collections.esops.migration.plugins.module_utils._cluster import ClusterError
from ansible_collections.esops.migration.plugins.module_utils._reindex import build_reindex_body
from ansible_collections.esops.migration.plugins.module_utils._reindex_tasks import CopyJob, CopyRunner

from ansible_collections.esops.migration.tests.unit.plugins.module_utils.test_reindex_tasks import (
    NO_COPY_RUNNING,
    REMOTE_URL,
    completed,
    failed_then_retried,
)

# What a 7.17.29 destination's task ends with when one answer of the remote is above its 100 MB buffer (as seen
# on the real node: 36 documents of 3 MiB, size 36).
CHUNK_ERROR = {"type": "illegal_argument_exception",
               "reason": "Remote responded with a chunk that was too large. Use a smaller batch size.",
               "caused_by": {"type": "content_too_long_exception",
                             "reason": "entity content is too long [113250365] for the configured buffer limit "
                                       "[104857600]"}}


def job(size=None):
    return CopyJob("big", "bigd", build_reindex_body({"host": REMOTE_URL}, "big", "bigd", size=size))


def test_a_batch_too_large_runs_again_at_once_with_half_the_size(scripted, clock):
    cluster = scripted.cluster(failed_then_retried("n", 1, CHUNK_ERROR))
    copy = job(size=36)
    started = clock.now
    CopyRunner(cluster, {}, retries=0).run([copy], deadline=started + 3600)
    sizes = [body["source"].get("size") for verb, _url, _params, body in cluster.calls if verb == "POST"]
    assert len(sizes) == 2 and copy.body["source"]["size"] == 18  # the second start sent half the size
    assert copy.state == "done" and copy.halved_from == [36] and copy.size == 18
    assert "Remote responded with a chunk that was too large" in copy.retried[0]["error"]
    assert copy.summary()["halved_from"] == [36] and copy.summary()["size"] == 18
    assert clock.now - started < 5  # no back-off: nothing to wait out
    assert cluster.unanswered() == []


def test_halving_stops_after_the_limit_and_the_copy_fails(scripted):
    cluster = scripted.cluster([
        (("GET", "/_tasks"), scripted.always(NO_COPY_RUNNING)),
        (("POST", "/_reindex"), scripted.always({"task": "n:1"})),
        (("GET", "/_tasks/n:1"), scripted.always(completed("n", 1, error=CHUNK_ERROR))),
    ])
    copy = job()
    CopyRunner(cluster, {}).run([copy], deadline=5000.0)
    assert copy.state == "failed" and "chunk that was too large" in copy.error
    assert copy.halved_from == [1000, 500, 250, 125, 62, 31, 15][:MAX_HALVINGS]
    assert len(cluster.requests("POST")) == MAX_HALVINGS + 1


def test_another_failure_is_not_halved(scripted):
    cluster = scripted.cluster([
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "n:1"}),
        (("GET", "/_tasks/n:1"), completed("n", 1, error={"type": "status_exception", "reason": "status=401"})),
    ])
    copy = job(size=100)
    CopyRunner(cluster, {}).run([copy], deadline=5000.0)
    assert copy.state == "failed" and copy.halved_from == [] and copy.size == 100


def test_each_copy_starts_on_its_node_and_is_followed_through_the_hosts(scripted):
    hosts = scripted.cluster([
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("GET", "/_tasks/b:7"), completed("b", 7)),
        (("GET", "/_tasks/a:3"), completed("a", 3)),
    ])
    node_a = scripted.cluster([(("POST", "/_reindex"), {"task": "a:3"})])
    node_b = scripted.cluster([(("POST", "/_reindex"), {"task": "b:7"})])
    first, second = job(), CopyJob("small", "smalld", build_reindex_body({"host": REMOTE_URL}, "small", "smalld"))
    first.node, first.coordinator = dict(id="b", name="dest-1", url="http://b:9200"), node_b
    second.node, second.coordinator = dict(id="a", name="dest-0", url="http://a:9200"), node_a
    CopyRunner(hosts, {}).run([first, second], deadline=5000.0)
    assert (first.state, second.state) == ("done", "done")
    assert hosts.requests("POST") == []  # the starts went to the nodes
    assert first.summary()["node_id"] == "b" and first.summary()["started_on"] == "http://b:9200"
    assert [cluster.unanswered() for cluster in (hosts, node_a, node_b)] == [[], [], []]


def test_a_node_unreachable_at_its_address_gets_its_copy_through_the_hosts(scripted):
    hosts = scripted.cluster([
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "a:3"}),
        (("GET", "/_tasks/a:3"), completed("a", 3)),
    ])
    private = scripted.cluster([(("POST", "/_reindex"), ClusterError("Connection refused"))])
    copy, later = job(), CopyJob("small", "smalld", build_reindex_body({"host": REMOTE_URL}, "small", "smalld"))
    for each in (copy, later):
        each.node, each.coordinator = dict(id="b", name="dest-1", url="http://10.0.0.2:9200"), private
    hosts.script[2:2] = [(("POST", "/_reindex"), {"task": "a:4"})]
    hosts.script.append((("GET", "/_tasks/a:4"), completed("a", 4)))
    CopyRunner(hosts, {}).run([copy, later], deadline=5000.0)
    assert (copy.state, later.state) == ("done", "done")
    assert "http://10.0.0.2:9200 could not be reached (Connection refused)" in copy.summary()["node_fallback"]
    assert "could not be reached before" in later.summary()["node_fallback"]  # not asked again
    assert private.unanswered() == [] and hosts.unanswered() == []
