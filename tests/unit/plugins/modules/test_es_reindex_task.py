"""es_reindex_task's main() against scripted Tasks API answers (the flows no server here can be made to take).

The answers' shapes and where they come from are listed in tests/unit/plugins/module_utils/test_reindex_tasks.py;
the 9.5+ ones follow elastic/elasticsearch#145764 and #146287. The rest of the module runs on real nodes in
tests/integration/test_es_reindex_tasks.py.
"""

from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.esops.migration.plugins.module_utils import _connection
from ansible_collections.esops.migration.plugins.module_utils._cluster import ClusterError
from ansible_collections.esops.migration.plugins.modules import es_reindex_task

DESCRIPTION = 'reindex from [host=src.example.com port=9200 query={\n  "match_all" : { }\n}][big] to [bigd]'
NOT_FOUND = ClusterError("resource_not_found_exception", 404, {
    "error": {"type": "resource_not_found_exception",
              "reason": "task [nodeA:12] isn't running and hasn't stored its results"}, "status": 404})
LONG_POLL_TIMEOUT = ClusterError("timeout_exception", 408, {
    "error": {"type": "timeout_exception", "reason": "Timed out waiting for completion of task"}, "status": 408})
DONE = {"took": 2000, "timed_out": False, "total": 3000, "created": 3000, "updated": 0, "deleted": 0, "batches": 3,
        "version_conflicts": 0, "noops": 0, "failures": []}


def task(node, number, created=500, rate=-1.0, original=None, **ended):
    """A GET _tasks/<id> answer: running, or completed with `response` or `error`."""
    info = {"node": node, "id": number, "action": "indices:data/write/reindex", "description": DESCRIPTION,
            "status": {"total": 3000, "created": created, "version_conflicts": 0, "noops": 0,
                       "requests_per_second": rate}}
    if original:
        info["original_task_id"] = original
    return dict({"completed": bool(ended), "task": info}, **ended)


def run_main(monkeypatch, capsys, cluster, **args):
    """Run the module's main() with these options against the scripted cluster: (failed, result)."""
    monkeypatch.setattr(_connection, "connect_cluster", lambda params, headers=None: cluster)
    with patch_module_args(dict(dict(hosts=["http://dest.example.com:9200"], task_id=["nodeA:12"]), **args)):
        with pytest.raises(SystemExit) as exited:
            es_reindex_task.main()
    result = json.loads(capsys.readouterr().out)
    assert "exception" not in result  # a failure says what was wrong, never with a traceback
    return exited.value.code != 0, result


def test_a_look_at_a_task_the_server_followed_to_another_node_reports_the_new_id(scripted, monkeypatch, capsys):
    cluster = scripted.cluster([(("GET", "/_tasks/nodeA:12"), task("nodeB", 77, 900, original="nodeA:12"))])
    failed, result = run_main(monkeypatch, capsys, cluster)
    assert not failed and result["changed"] is False and result["completed"] is False
    row = result["tasks"][0]
    assert (row["task_id"], row["relocated_from"], row["state"], row["processed"]) == (
        "nodeB:77", ["nodeA:12"], "running", 900)
    assert result["percent"] == 30.0


def test_a_task_that_vanished_is_reported_lost_at_once_without_wait(scripted, monkeypatch, capsys):
    cluster = scripted.cluster([
        (("GET", "/_tasks/nodeA:12"), NOT_FOUND),
        (("GET", "/_tasks"), {"nodes": {}}),  # no task does the same copy under another id
    ])
    failed, result = run_main(monkeypatch, capsys, cluster)
    assert failed and result["tasks"][0]["state"] == "lost" and result["completed"] is True
    assert "nodeA:12" in result["msg"] and "did not finish" in result["msg"]


def test_waiting_follows_a_hand_over_to_the_end(scripted, clock, monkeypatch, capsys):
    hand_over = {"type": "task_relocated_exception", "reason": "Task was relocated", "original_task_id": "nodeA:12",
                 "relocated_task_id": "nodeB:77"}
    cluster = scripted.cluster([
        (("GET", "/_tasks/nodeA:12"), task("nodeA", 12, 500)),
        (("GET", "/_tasks/nodeA:12"), LONG_POLL_TIMEOUT),
        (("GET", "/_tasks/nodeA:12"), task("nodeA", 12, 1500, error=hand_over)),
        (("GET", "/_tasks/nodeB:77"), LONG_POLL_TIMEOUT),
        (("GET", "/_tasks/nodeB:77"), task("nodeB", 77, 3000, original="nodeA:12", response=DONE)),
    ])
    failed, result = run_main(monkeypatch, capsys, cluster, wait=True)
    assert not failed, result["msg"]
    assert result["completed"] is True and result["created"] == 3000 and result["percent"] == 100.0
    assert result["tasks"][0]["relocated_from"] == ["nodeA:12"] and result["tasks"][0]["state"] == "done"
    assert cluster.unanswered() == []


def test_waiting_past_the_timeout_fails_and_leaves_the_task_running(scripted, clock, monkeypatch, capsys):
    cluster = scripted.cluster([
        (("GET", "/_tasks/nodeA:12"), task("nodeA", 12, 600)),
        # Long polls end before the task; the look at its status in between says it still runs.
        (("GET", "/_tasks/nodeA:12"), scripted.always(
            lambda params: LONG_POLL_TIMEOUT if params.get("wait_for_completion") else task("nodeA", 12, 900))),
    ])
    started = clock.now
    failed, result = run_main(monkeypatch, capsys, cluster, wait=True, wait_timeout=30, poll_interval=5)
    assert failed and result["msg"].startswith("The reindex task(s) did not end within 30 seconds")
    assert 30 <= clock.now - started < 36
    assert result["tasks"][0]["state"] == "running" and result["completed"] is False
    assert cluster.requests("POST") == []  # never cancelled


@pytest.mark.parametrize("rate_now, wanted, check_mode, changed, sent", [
    (-1.0, 0, False, False, None),  # already unlimited (the Tasks API writes unlimited as -1)
    (100.0, 0, False, True, -1),
    (100.0, 0, True, True, None),  # check mode reports, changes nothing
    (100.0, 100, False, False, None),
    (100.0, 250, False, True, 250),
])
def test_rethrottle_changes_only_a_different_rate(scripted, monkeypatch, capsys, rate_now, wanted, check_mode,
                                                  changed, sent):
    script = [(("GET", "/_tasks/nodeA:12"), task("nodeA", 12, rate=rate_now))]
    if sent is not None:
        script.append((("POST", "/_reindex/nodeA:12/_rethrottle"), {"nodes": {}}))
    cluster = scripted.cluster(script)
    failed, result = run_main(monkeypatch, capsys, cluster, requests_per_second=wanted, _ansible_check_mode=check_mode)
    assert not failed and result["changed"] is changed
    posts = [params for verb, _url, params, _body in cluster.calls if verb == "POST"]
    assert posts == ([] if sent is None else [{"requests_per_second": sent}])


def test_cancel_cancels_then_reports_the_cancelled_task(scripted, monkeypatch, capsys):
    cancelled = dict(DONE, created=700, total=3000, canceled="by user request")
    cluster = scripted.cluster([
        (("GET", "/_tasks/nodeA:12"), task("nodeA", 12, 700)),
        (("POST", "/_tasks/nodeA:12/_cancel"), {"nodes": {}}),
        (("GET", "/_tasks/nodeA:12"), task("nodeA", 12, 700, response=cancelled)),
    ])
    failed, result = run_main(monkeypatch, capsys, cluster, cancel=True)
    assert not failed and result["changed"] is True and result["completed"] is True
    assert result["tasks"][0]["state"] == "cancelled" and result["created"] == 700
    assert cluster.calls[1][2] == {"wait_for_completion": True}


def test_cancel_of_an_ended_task_changes_nothing(scripted, monkeypatch, capsys):
    cluster = scripted.cluster([(("GET", "/_tasks/nodeA:12"), task("nodeA", 12, 3000, response=DONE))])
    failed, result = run_main(monkeypatch, capsys, cluster, cancel=True)
    assert not failed and result["changed"] is False and cluster.requests("POST") == []


def test_a_refused_request_fails_with_the_servers_reason(scripted, monkeypatch, capsys):
    refused = ClusterError("security_exception", 403, {"error": {
        "type": "security_exception", "reason": "action [cluster:monitor/task/get] is unauthorized"}, "status": 403})
    cluster = scripted.cluster([(("GET", "/_tasks/nodeA:12"), refused)])
    failed, result = run_main(monkeypatch, capsys, cluster)
    assert failed and result["msg"].startswith("Looking at reindex task(s) nodeA:12 failed: HTTP 403 security_exception")
