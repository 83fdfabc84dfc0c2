"""The task follower (plugins/module_utils/_reindex_tasks.py): what a task says about itself, and CopyRunner run
against scripted Tasks API answers for the branches no server here can be made to take.

Where each scripted answer's shape comes from:
- GET _tasks/<id> of a running or completed task ({"completed", "task": {"node", "id", "description", "status"},
  "response"/"error"}): the Tasks API docs, and what the 7.17 nodes of tests/integration answer.
- A task the cluster does not know: HTTP 404 resource_not_found_exception "task [<id>] isn't running and hasn't
  stored its results" (TransportGetTaskAction in Elasticsearch's server module).
- A long poll that ends before the task: timeout_exception (ElasticsearchTimeoutException, named without its
  elasticsearch_ prefix by the REST layer); the follower checks the type only.
- Elasticsearch 9.5+ relocation: GET _tasks/<old id> follows the relocation chain and answers with the latest
  task's node and id, keeping original_task_id (elastic/elasticsearch#145764, #146287; TaskInfo.toXContent writes
  original_task_id only when it differs from the task's own id).
- The hand-over: the relocated task ends with the error {"type": "task_relocated_exception", "reason": "Task was
  relocated", "original_task_id": ..., "relocated_task_id": ...} (TaskRelocatedException: its es.* metadata is
  rendered without the prefix); GET _tasks answers with it when following the chain fails (#145764).
- POST /_reindex?wait_for_completion=false answers {"task": "<node>:<id>"} (Reindex API docs).
"""

from __future__ import annotations

import pytest

from ansible_collections.esops.migration.plugins.module_utils._cluster import ClusterError
from ansible_collections.esops.migration.plugins.module_utils._reindex import build_reindex_body, supports_remote_api_key
from ansible_collections.esops.migration.plugins.module_utils._reindex_tasks import (
    RELOCATION_GRACE,
    CopyJob,
    CopyRunner,
    current_task_id,
    is_relocation_error,
    parse_task_description,
    relocation_target,
    same_copy,
)

# --- task descriptions ------------------------------------------------------------------------------------------

# As Elasticsearch 7.17 writes them (read off a real task); 8.x drops the trailing [_doc].
DESCRIPTION_7 = (
    'reindex from [host=127.0.0.1 port=37200 query={\n  "bool" : {\n    "filter" : [\n      {\n        "range" : {\n'
    '          "n" : {\n            "lt" : 100.5,\n            "gte" : 0\n          }\n        }\n      }\n    ]\n'
    '  }\n} username=esops_admin password=<<>>][big] to [bigd][_doc]'
)
DESCRIPTION_8 = (
    'reindex from [scheme=https host=es-src.example.com port=9243 pathPrefix=/es query={\n  "match_all" : {\n'
    '    "boost" : 1.0\n  }\n} username=elastic password=<<>>][a, b] to [merged]'
)
REMOTE = {"host": "http://127.0.0.1:37200", "username": "esops_admin", "password": "secret"}


def test_descriptions_are_parsed():
    parsed = parse_task_description(DESCRIPTION_7)
    assert (parsed["scheme"], parsed["host"], parsed["port"]) == ("http", "127.0.0.1", "37200")
    assert parsed["query"] == {"bool": {"filter": [{"range": {"n": {"gte": 0, "lt": 100.5}}}]}}
    assert (parsed["source"], parsed["dest"]) == (["big"], "bigd")
    parsed = parse_task_description(DESCRIPTION_8)
    expected = ("https", "/es", ["a", "b"], "merged")
    assert (parsed["scheme"], parsed["path_prefix"], parsed["source"], parsed["dest"]) == expected
    assert parse_task_description("reindex from [big] to [bigd][_doc]") is None  # a local reindex
    assert parse_task_description("something else") is None


def test_the_same_copy_is_recognised_and_another_is_not():
    query = {"bool": {"filter": [{"range": {"n": {"gte": 0, "lt": 100.5}}}]}}
    body = build_reindex_body(REMOTE, "big", "bigd", query=query)
    assert same_copy(DESCRIPTION_7, body)
    assert not same_copy(DESCRIPTION_7, build_reindex_body(REMOTE, "big", "bigd", query={"match_all": {}}))
    assert not same_copy(DESCRIPTION_7, build_reindex_body(REMOTE, "big", "other", query=query))
    assert not same_copy(DESCRIPTION_7, build_reindex_body(REMOTE, "small", "bigd", query=query))
    assert not same_copy(DESCRIPTION_7, build_reindex_body(dict(REMOTE, host="http://127.0.0.1:37201"), "big", "bigd",
                                                           query=query))


def test_a_copy_without_query_matches_the_match_all_the_server_fills_in():
    body = build_reindex_body(dict(REMOTE, host="https://es-src.example.com:9243/es"), "b,a", "merged")
    assert same_copy(DESCRIPTION_8, body)
    assert not same_copy(DESCRIPTION_8, build_reindex_body(dict(REMOTE, host="http://es-src.example.com:9243/es"),
                                                           "a,b", "merged"))


# --- relocated tasks (Elasticsearch 9.5+) --------------------------------------------------------------------------


def test_an_answer_about_another_task_is_a_relocation():
    # 9.5+ follows the relocation chain and answers with the latest task's node and id.
    moved = {"completed": False, "task": {"node": "nodeB", "id": 77, "original_task_id": "nodeA:12"}}
    assert current_task_id("nodeA:12", moved) == "nodeB:77"
    assert current_task_id("nodeA:12", {"completed": False, "task": {"node": "nodeA", "id": 12}}) == "nodeA:12"
    assert current_task_id("nodeA:12", {"completed": False}) == "nodeA:12"  # a long-poll that timed out


def test_a_relocation_error_is_not_a_failed_copy():
    assert is_relocation_error({"type": "task_relocated_exception", "reason": "relocated to nodeB"})
    assert is_relocation_error({"type": "exception", "caused_by": {"type": "task_relocated_exception"}})
    assert not is_relocation_error({"type": "status_exception", "reason": "body={...}"})
    assert not is_relocation_error(None)


def test_a_hand_over_error_names_the_task_that_goes_on():
    error = {"type": "task_relocated_exception", "reason": "Task was relocated", "original_task_id": "nodeA:12",
             "relocated_task_id": "nodeB:77"}
    assert relocation_target(error) == "nodeB:77"
    assert relocation_target({"type": "exception", "caused_by": error}) == "nodeB:77"
    assert relocation_target({"type": "task_relocated_exception", "reason": "Task was relocated"}) is None
    assert relocation_target({"type": "status_exception", "relocated_task_id": "nodeB:77"}) is None


# --- CopyRunner against scripted answers ---------------------------------------------------------------------------

REMOTE_URL = "http://src.example.com:9200"
# How Elasticsearch 8+ describes the copy that job() starts (no username: RemoteInfo writes none).
RUNNING_DESCRIPTION = 'reindex from [host=src.example.com port=9200 query={\n  "match_all" : { }\n}][big] to [bigd]'
NOT_FOUND = ClusterError("resource_not_found_exception", 404, {
    "error": {"type": "resource_not_found_exception",
              "reason": "task [nodeA:12] isn't running and hasn't stored its results"}, "status": 404})
LONG_POLL_TIMEOUT = ClusterError("timeout_exception", 408, {
    "error": {"type": "timeout_exception", "reason": "Timed out waiting for completion of task [nodeA:12]"},
    "status": 408})
NO_COPY_RUNNING = {"nodes": {}}
DONE_RESPONSE = {"took": 2000, "timed_out": False, "total": 3000, "created": 3000, "updated": 0, "deleted": 0,
                 "batches": 3, "version_conflicts": 0, "noops": 0, "failures": []}


def job(remote=None, api_key_in_body=False):
    body = build_reindex_body(remote or {"host": REMOTE_URL}, "big", "bigd", api_key_in_body=api_key_in_body)
    return CopyJob("big", "bigd", body)


def running(node, number, created=500, original=None):
    """A GET _tasks/<id> answer about a running reindex task."""
    task = {"node": node, "id": number, "type": "transport", "action": "indices:data/write/reindex",
            "description": RUNNING_DESCRIPTION,
            "status": {"total": 3000, "created": created, "updated": 0, "deleted": 0, "batches": 1,
                       "version_conflicts": 0, "noops": 0, "requests_per_second": -1.0}}
    if original:
        task["original_task_id"] = original
    return {"completed": False, "task": task}


def completed(node, number, original=None, **outcome):
    answer = running(node, number, created=3000, original=original)
    answer["completed"] = True
    answer.update(outcome or {"response": DONE_RESPONSE})
    return answer


def failed_then_retried(node, number, error):
    """The answers to a copy that fails with `error` as task node:number, then completes as node:number+1."""
    retry = number + 1
    return [
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "%s:%d" % (node, number)}),
        (("GET", "/_tasks/%s:%d" % (node, number)), completed(node, number, error=error)),
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "%s:%d" % (node, retry)}),
        (("GET", "/_tasks/%s:%d" % (node, retry)), completed(node, retry)),
    ]


def listing(*task_ids):
    """GET /_tasks?actions=...reindex&detailed: the given tasks running the copy job() starts."""
    tasks = {task_id: {"node": task_id.split(":")[0], "id": int(task_id.split(":")[1]),
                       "description": RUNNING_DESCRIPTION} for task_id in task_ids}
    return {"nodes": {"n": {"tasks": tasks}}} if tasks else NO_COPY_RUNNING


def test_a_copy_the_server_follows_to_another_node_ends_under_the_new_id(scripted):
    cluster = scripted.cluster([
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "nodeA:12"}),
        # 9.5+: asked about nodeA:12, the server answers about the task that took the copy over.
        (("GET", "/_tasks/nodeA:12"), running("nodeB", 77, original="nodeA:12")),
        (("GET", "/_tasks/nodeB:77"), completed("nodeB", 77, original="nodeA:12")),
    ])
    copy = job()
    CopyRunner(cluster, {}).run([copy], deadline=2000.0)
    assert (copy.state, copy.task_id, copy.relocated_from) == ("done", "nodeB:77", ["nodeA:12"])
    assert copy.summary()["created"] == 3000 and copy.summary()["relocated_from"] == ["nodeA:12"]
    assert cluster.unanswered() == []


def test_a_hand_over_error_is_followed_to_the_task_it_names_not_reported_as_a_failure(scripted):
    hand_over = {"type": "task_relocated_exception", "reason": "Task was relocated", "original_task_id": "nodeA:12",
                 "relocated_task_id": "nodeB:77"}
    cluster = scripted.cluster([
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "nodeA:12"}),
        (("GET", "/_tasks/nodeA:12"), completed("nodeA", 12, error=hand_over)),
        (("GET", "/_tasks/nodeB:77"), completed("nodeB", 77, original="nodeA:12")),
    ])
    copy = job()
    CopyRunner(cluster, {}).run([copy], deadline=2000.0)
    assert (copy.state, copy.error, copy.task_id, copy.relocated_from) == ("done", None, "nodeB:77", ["nodeA:12"])
    assert cluster.unanswered() == []


def test_a_hand_over_naming_no_task_finds_the_copy_again_by_its_description(scripted):
    cluster = scripted.cluster([
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "nodeA:12"}),
        (("GET", "/_tasks/nodeA:12"), completed("nodeA", 12, error={"type": "task_relocated_exception",
                                                                    "reason": "Task was relocated"})),
        (("GET", "/_tasks"), listing("nodeC:5")),
        (("GET", "/_tasks/nodeC:5"), completed("nodeC", 5)),
    ])
    copy = job()
    CopyRunner(cluster, {}).run([copy], deadline=2000.0)
    assert (copy.state, copy.task_id, copy.relocated_from) == ("done", "nodeC:5", ["nodeA:12"])


def test_a_task_that_vanishes_is_lost_after_the_grace_never_a_success(scripted, clock):
    cluster = scripted.cluster([
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "nodeA:12"}),
        (("GET", "/_tasks/nodeA:12"), running("nodeA", 12, created=800)),
        # Its node restarts: the task is neither running nor stored, and no task does the same copy.
        (("GET", "/_tasks/nodeA:12"), NOT_FOUND),
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("GET", "/_tasks/nodeA:12"), scripted.always(NOT_FOUND)),
        (("GET", "/_tasks"), scripted.always(NO_COPY_RUNNING)),
    ])
    copy = job()
    started = clock.now
    CopyRunner(cluster, {}).run([copy], deadline=started + 3600)
    assert copy.state == "lost" and "did not finish" in copy.error and "big into bigd" in copy.error
    assert RELOCATION_GRACE <= clock.now - started < RELOCATION_GRACE + 5  # waited for a relocation, no longer
    assert copy.summary()["processed"] == 800  # the last progress seen, not a success
    assert ("POST", "/_tasks/nodeA:12/_cancel") not in cluster.requests()


def test_a_task_that_vanishes_and_shows_up_under_a_new_id_within_the_grace_is_followed(scripted):
    cluster = scripted.cluster([
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "nodeA:12"}),
        (("GET", "/_tasks/nodeA:12"), NOT_FOUND),
        (("GET", "/_tasks"), NO_COPY_RUNNING),  # not yet
        (("GET", "/_tasks/nodeA:12"), NOT_FOUND),
        (("GET", "/_tasks"), listing("nodeB:77")),
        (("GET", "/_tasks/nodeB:77"), completed("nodeB", 77)),
    ])
    copy = job()
    CopyRunner(cluster, {}).run([copy], deadline=2000.0)
    assert (copy.state, copy.task_id, copy.relocated_from) == ("done", "nodeB:77", ["nodeA:12"])
    assert cluster.unanswered() == []


@pytest.mark.parametrize("cancel_on_timeout", [True, False])
def test_at_the_deadline_running_copies_time_out_and_the_rest_never_start(scripted, clock, cancel_on_timeout):
    cluster = scripted.cluster([
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "nodeA:12"}),
        # Long polls end before the task does; the last look at the deadline (no wait) gets its status.
        (("GET", "/_tasks/nodeA:12"), scripted.always(
            lambda params: LONG_POLL_TIMEOUT if params.get("wait_for_completion") else running("nodeA", 12, 1200))),
    ] + ([(("POST", "/_tasks/nodeA:12/_cancel"), {"nodes": {}})] if cancel_on_timeout else []))
    first, second = job(), CopyJob("small", "smalld", build_reindex_body({"host": REMOTE_URL}, "small", "smalld"))
    started = clock.now
    CopyRunner(cluster, {}, max_concurrent=1).run([first, second], deadline=started + 60, cancel_on_timeout=cancel_on_timeout)
    assert 60 <= clock.now - started < 62
    assert (first.state, first.summary()["processed"]) == ("timed_out", 1200)
    assert (second.state, second.error) == ("cancelled", "not started before the timeout")
    assert cluster.unanswered() == []
    assert (("POST", "/_tasks/nodeA:12/_cancel") in cluster.requests()) is cancel_on_timeout


def test_the_wait_grows_from_a_quarter_second_to_the_poll_interval_on_the_server(scripted):
    cluster = scripted.cluster([(("GET", "/_tasks/nodeA:12"), scripted.always(
        lambda params: LONG_POLL_TIMEOUT if params.get("wait_for_completion") else running("nodeA", 12, 1200)))])
    copy = job()
    copy.task_id, copy.state = "nodeA:12", "running"
    left = CopyRunner(cluster, {}, poll_interval=2.0).wait([copy], deadline=1010.0)
    assert left == [copy]
    waits = [params["timeout"] for _verb, _url, params, _body in cluster.calls if params]
    assert waits[:5] == ["250ms", "500ms", "1000ms", "2000ms", "2000ms"]


@pytest.mark.parametrize("version, in_body", [((9, 3, 0), True), ((9, 2, 4), False), ((7, 17, 29), False)])
def test_the_api_key_goes_to_the_server_in_the_body_from_9_3_and_in_a_header_before(scripted, version, in_body):
    cluster = scripted.cluster([
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "nodeA:12"}),
        (("GET", "/_tasks/nodeA:12"), completed("nodeA", 12)),
    ], version=version)
    remote = {"host": REMOTE_URL, "api_key": "a2V5OnNlY3JldA=="}
    copy = job(remote, api_key_in_body=supports_remote_api_key(".".join(map(str, cluster.version))))
    CopyRunner(cluster, {"slices": "auto"}).run([copy], deadline=2000.0)
    params, body = cluster.calls[1][2:]
    assert params == {"slices": "auto", "wait_for_completion": False}
    sent = body["source"]["remote"]
    assert ("api_key" in sent) is in_body
    assert ("headers" in sent) is not in_body
    assert sent.get("api_key", sent.get("headers", {}).get("Authorization")) == (
        "a2V5OnNlY3JldA==" if in_body else "ApiKey a2V5OnNlY3JldA==")
    assert copy.state == "done"


def test_a_copy_already_running_is_reattached_and_rethrottled_not_started_twice(scripted):
    cluster = scripted.cluster([
        (("GET", "/_tasks"), listing("nodeA:12")),
        (("POST", "/_reindex/nodeA:12/_rethrottle"), {"nodes": {}}),
        (("GET", "/_tasks/nodeA:12"), completed("nodeA", 12)),
    ])
    copy = job()
    runner = CopyRunner(cluster, {}, requests_per_second=-1)
    runner.run([copy], deadline=2000.0)
    assert (copy.state, copy.reattached, runner.rethrottled) == ("done", True, ["nodeA:12"])
    assert ("POST", "/_reindex") not in cluster.requests()


def test_an_unreachable_cluster_is_waited_out_then_raised(scripted, clock):
    down = ClusterError("Connection refused")
    cluster = scripted.cluster([(("GET", "/_tasks/nodeA:12"), scripted.always(down))])
    copy = job()
    copy.task_id, copy.state = "nodeA:12", "running"
    started = clock.now
    with pytest.raises(ClusterError):
        CopyRunner(cluster, {}).wait([copy], deadline=started + 3600)
    assert 180 < clock.now - started < 190  # UNREACHABLE_LIMIT, with the pauses between looks


# --- retries: a copy whose task failed on the link to the remote or was lost runs again ------------------------------

# The error of a task whose scroll request met a reset link (a 7.17 node's words in tests/integration/test_network_faults.py).
RESET_ERROR = {"type": "connection_closed_exception", "reason": "Connection is closed"}
WHITELIST_ERROR = {"type": "illegal_argument_exception",
                   "reason": "[src.example.com:9200] not whitelisted in reindex.remote.whitelist"}


def first_of_two_reset_then_retried():
    """Two copies start (nodeA:12, nodeA:13); the first fails on a reset link, the second ends; one retry ends."""
    return [
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "nodeA:12"}),
        (("POST", "/_reindex"), {"task": "nodeA:13"}),
        (("GET", "/_tasks/nodeA:12"), completed("nodeA", 12, error=RESET_ERROR)),
        (("GET", "/_tasks/nodeA:13"), completed("nodeA", 13)),
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "nodeA:14"}),
        (("GET", "/_tasks/nodeA:14"), completed("nodeA", 14)),
    ]


def test_a_copy_failed_on_the_link_is_retried_after_the_back_off_and_the_other_copy_is_not_redone(scripted, clock):
    other = CopyJob("small", "smalld", build_reindex_body({"host": REMOTE_URL}, "small", "smalld"))
    cluster = scripted.cluster(first_of_two_reset_then_retried())
    copy = job()
    started = clock.now
    CopyRunner(cluster, {}, retries=2, retry_delay=5).run([copy, other], deadline=started + 3600)
    assert (copy.state, copy.task_id, other.state, other.task_id) == ("done", "nodeA:14", "done", "nodeA:13")
    assert [(attempt["task_id"], attempt["state"]) for attempt in copy.retried] == [("nodeA:12", "failed")]
    assert "connection_closed_exception: Connection is closed" in copy.retried[0]["error"]
    assert copy.summary()["retried"] == copy.retried and "retried" not in other.summary()
    assert len(cluster.requests("POST")) == 3  # two starts, one retry: the other copy was not started again
    assert clock.now - started >= 5
    assert cluster.unanswered() == []


@pytest.mark.parametrize("mode", ["overwrite", "sync", "create"])
def test_a_retry_runs_in_mode_create_and_says_why_after_what_back_off_and_in_which_mode(scripted, clock, mode):
    body = build_reindex_body({"host": REMOTE_URL}, "big", "bigd", mode=mode, pipeline="p")
    copy, other = CopyJob("big", "bigd", body, partition=0), CopyJob("big", "bigd", dict(body), partition=1)
    cluster = scripted.cluster(first_of_two_reset_then_retried())
    CopyRunner(cluster, {}, retries=1, retry_delay=3).run([copy, other], deadline=clock.now + 3600)
    first, second, retry = [call[3] for call in cluster.calls if call[0] == "POST"]
    assert first == second == body  # the first round runs in the mode asked for
    assert retry["dest"] == dict(index="bigd", op_type="create", pipeline="p") and retry["conflicts"] == "proceed"
    assert retry["source"] == body["source"]
    attempt = copy.retried[0]
    assert (attempt["mode"], attempt["retry_mode"], attempt["back_off"]) == (mode, "create", 3)
    assert attempt["reason"] == "the link to the remote broke"
    assert other.body == body and other.retried == []  # the copy that ended well keeps its request, not redone


def test_a_lost_copy_says_it_was_lost_and_each_retry_waits_twice_as_long(scripted, clock):
    cluster = scripted.cluster([
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "nodeA:12"}),
        (("GET", "/_tasks/nodeA:12"), scripted.always(NOT_FOUND)),
        (("GET", "/_tasks"), scripted.always(NO_COPY_RUNNING)),
        (("POST", "/_reindex"), {"task": "nodeA:13"}),
        (("GET", "/_tasks/nodeA:13"), completed("nodeA", 13, error=RESET_ERROR)),
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "nodeA:14"}),
        (("GET", "/_tasks/nodeA:14"), completed("nodeA", 14)),
    ])
    copy = job()
    CopyRunner(cluster, {}, retries=2, retry_delay=4).run([copy], deadline=clock.now + 3600)
    assert copy.state == "done"
    assert [(attempt["state"], attempt["back_off"]) for attempt in copy.retried] == [("lost", 4), ("failed", 8)]
    assert "node running it left or restarted" in copy.retried[0]["reason"]
    assert "link to the remote broke" in copy.retried[1]["reason"]


def test_retries_back_off_doubling_and_stop_after_the_last_one(scripted, clock):
    cluster = scripted.cluster([
        (("GET", "/_tasks"), scripted.always(NO_COPY_RUNNING)),
        (("POST", "/_reindex"), scripted.always({"task": "nodeA:12"})),
        (("GET", "/_tasks/nodeA:12"), scripted.always(completed("nodeA", 12, error=RESET_ERROR))),
    ])
    copy = job()
    started = clock.now
    CopyRunner(cluster, {}, retries=3, retry_delay=2).run([copy], deadline=started + 3600)
    assert copy.state == "failed" and len(copy.retried) == 3
    assert len(cluster.requests("POST")) == 4  # the first attempt and three retries
    assert 2 + 4 + 8 <= clock.now - started < 2 + 4 + 8 + 5


def test_a_lost_task_is_retried(scripted):
    cluster = scripted.cluster([
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "nodeA:12"}),
        (("GET", "/_tasks/nodeA:12"), scripted.always(NOT_FOUND)),
        (("GET", "/_tasks"), scripted.always(NO_COPY_RUNNING)),
        (("POST", "/_reindex"), {"task": "nodeB:1"}),
        (("GET", "/_tasks/nodeB:1"), completed("nodeB", 1)),
    ])
    copy = job()
    CopyRunner(cluster, {}, retries=1, retry_delay=1).run([copy], deadline=5000.0)
    assert (copy.state, copy.task_id, copy.retried[0]["state"]) == ("done", "nodeB:1", "lost")


# What a 7.17 destination's task fails with when the remote node has just started and its shard is not recovered yet
# (read off a real node restarted behind the proxy of tests/integration/test_network_faults.py; shortened).
MISSING_SHARDS_ERROR = {"type": "status_exception", "reason": (
    'body={"error":{"root_cause":[],"type":"search_phase_execution_exception","reason":"","phase":"query",'
    '"caused_by":{"type":"search_phase_execution_exception","reason":"Search rejected due to missing shards '
    '[[faulty_link][0]]. Consider using `allow_partial_search_results` setting to bypass this error."}},'
    '"status":503}')}
NO_SHARD_ERROR = {"type": "status_exception", "reason": (
    'body={"error":{"root_cause":[{"type":"no_shard_available_action_exception","reason":"[src-0][127.0.0.1:26800]'
    '[indices:data/read/search[phase/query]]"}],"type":"search_phase_execution_exception","reason":"all shards '
    'failed"},"status":503}')}


@pytest.mark.parametrize("error", [MISSING_SHARDS_ERROR, NO_SHARD_ERROR])
def test_a_copy_the_remote_answered_503_is_retried(scripted, error):
    cluster = scripted.cluster(failed_then_retried("nodeA", 12, error))
    copy = job()
    CopyRunner(cluster, {}, retries=1, retry_delay=1).run([copy], deadline=5000.0)
    assert copy.state == "done" and "remote answered 503" in copy.retried[0]["reason"], copy.retried


@pytest.mark.parametrize("error", [WHITELIST_ERROR, {"type": "status_exception", "reason": "body={...} status=401"}])
def test_a_copy_failed_for_another_reason_than_the_link_is_not_retried(scripted, error):
    cluster = scripted.cluster([
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "nodeA:12"}),
        (("GET", "/_tasks/nodeA:12"), completed("nodeA", 12, error=error)),
    ])
    copy = job()
    CopyRunner(cluster, {}, retries=3, retry_delay=1).run([copy], deadline=5000.0)
    assert copy.state == "failed" and copy.retried == []
    assert cluster.unanswered() == []


def test_no_retry_starts_when_its_back_off_would_pass_the_deadline(scripted, clock):
    cluster = scripted.cluster([
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "nodeA:12"}),
        (("GET", "/_tasks/nodeA:12"), completed("nodeA", 12, error=RESET_ERROR)),
    ])
    copy = job()
    CopyRunner(cluster, {}, retries=3, retry_delay=30).run([copy], deadline=clock.now + 20)
    assert copy.state == "failed" and copy.retried == []


def test_each_look_at_a_running_copy_adds_a_progress_sample_and_the_end_adds_the_final_figure(scripted, clock):
    # A long poll that ends before the task answers without its status (timeout_exception, as 7.17 does): the
    # follower then asks for the status with a plain GET, so a copy longer than one look has samples between.
    def ends_after(seconds):
        def answer(_params):
            clock.sleep(seconds)  # the server holds the long poll until the task ends
            return completed("nodeA", 12)
        return answer

    cluster = scripted.cluster([
        (("GET", "/_tasks"), NO_COPY_RUNNING),
        (("POST", "/_reindex"), {"task": "nodeA:12"}),
        (("GET", "/_tasks/nodeA:12"), LONG_POLL_TIMEOUT),
        (("GET", "/_tasks/nodeA:12"), running("nodeA", 12, created=600)),
        (("GET", "/_tasks/nodeA:12"), LONG_POLL_TIMEOUT),
        (("GET", "/_tasks/nodeA:12"), running("nodeA", 12, created=1500)),
        (("GET", "/_tasks/nodeA:12"), ends_after(0.4)),
    ])
    copy = job()
    CopyRunner(cluster, {}).run([copy], deadline=clock.now + 3600)
    assert copy.state == "done" and cluster.unanswered() == []
    assert copy.progress.points == [(0.0, 0), (0.25, 600), (0.75, 1500), (1.15, 3000)]
    assert copy.summary()["progress"][-1] == {"seconds": 1.15, "documents": 3000}
    status_looks = [params for _verb, url, params, _body in cluster.calls if url == "/_tasks/nodeA:12"][1::2]
    assert status_looks[:2] == [None, None]  # the status is asked without holding the request
