"""es_reindex for long runs on real clusters: several indices, partitions, wait=false, reattach, lost tasks,
rethrottle (es_reindex_task), destination tuning."""

from __future__ import annotations

import threading
import time

import pytest
from elastic_transport import TransportError
from elasticsearch import ApiError, helpers

from ansible_collections.esops.migration.plugins.module_utils._reindex import build_reindex_body
from esops_testbed import eslocal
from esops_testbed.support import run_module, run_playbook

BIG = "tasks_big"
BIG_DOCS = 3000
START_MILLIS = 1_700_000_000_000


def big_docs():
    """Product-like documents with a numeric and a date field; every 10th lacks price, every 50th has two prices."""
    for number in range(BIG_DOCS):
        doc = {"productName": "product %d" % number, "created": START_MILLIS + number * 60_000}
        if number % 10 != 3:
            doc["price"] = [number, number + 5] if number % 50 == 7 else (number * 7) % 1000
        yield {"_index": BIG, "_id": "p%d" % number, "_source": doc}


@pytest.fixture(scope="module")
def big_source(clusters):
    source = clusters["source"]
    source.client.options(ignore_status=404).indices.delete(index=BIG)
    source.client.indices.create(index=BIG, settings={"number_of_shards": 2, "number_of_replicas": 0},
                                 mappings={"properties": {"price": {"type": "long"}, "created": {"type": "date"}}})
    helpers.bulk(source.client, big_docs(), refresh=True)
    return source


def copy_args(source, dest, **extra):
    args = dict(dest.connection(), remote=dict(host=source.url, username=source.username, password=source.password))
    args.update(extra)
    return args


def ids_of(client, index):
    client.indices.refresh(index=index)
    return {hit["_id"] for hit in helpers.scan(client, index=index, query={"query": {"match_all": {}}}, _source=False)}


def reindex_tasks(dest):
    listing = dest.client.tasks.list(actions="indices:data/write/reindex", detailed=True)
    return {task_id: task for node in listing["nodes"].values() for task_id, task in node["tasks"].items()}


class TaskWatcher:
    """Counts, from another client every 0.1 s, the reindex tasks running at once on dest."""

    def __init__(self, dest):
        self.dest = dest
        self.most_at_once = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watch)

    def watch(self):
        while not self.stop.is_set():
            self.most_at_once = max(self.most_at_once, len(reindex_tasks(self.dest)))
            time.sleep(0.1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join()


def drop(dest, *indices):
    dest.client.options(ignore_status=404).indices.delete(index=",".join(indices))


def test_a_pattern_copies_each_index_by_its_own_task_into_templated_names(whitelisted):
    source, dest = whitelisted
    counts = {"logs-a": 3, "logs-b": 5, "logs-c": 0}
    for index, count in counts.items():
        source.client.options(ignore_status=404).indices.delete(index=index)
        source.client.indices.create(index=index)
        helpers.bulk(source.client, ({"_index": index, "_id": str(n), "_source": {"n": n}} for n in range(count)),
                     refresh=True)
    drop(dest, "archive-a-v2", "archive-b-v2", "archive-c-v2")
    args = copy_args(source, dest, source_index="logs-*", dest_index="{index}-v2", rename_pattern="^logs-(.*)",
                     rename_replacement=r"archive-\1", max_concurrent=2)

    first = run_module("es_reindex", args).result
    assert not first.get("failed"), first.get("msg")
    assert [(c["source_index"], c["dest_index"]) for c in first["copies"]] == [
        ("logs-a", "archive-a-v2"), ("logs-b", "archive-b-v2"), ("logs-c", "archive-c-v2")]
    assert len(set(first["task_ids"])) == 3 and first["created"] == 8 and first["changed"]
    for index, count in counts.items():
        if count:
            assert ids_of(dest.client, index.replace("logs-", "archive-") + "-v2") == {str(n) for n in range(count)}

    again = run_module("es_reindex", args).result
    assert not again.get("failed"), again.get("msg")
    assert again["changed"] is False and again["version_conflicts"] == 8

    none = run_module("es_reindex", dict(args, source_index=["nothing-here-*"])).result
    assert none["failed"] and "No open index on the source cluster matches" in none["msg"]


@pytest.mark.parametrize("field", ["price", "created"])
def test_partitions_copy_exactly_the_source_including_documents_without_the_field(
        big_source, dest, whitelisted, field):
    source = big_source
    target = "tasks_part_%s" % field
    drop(dest, target)
    args = copy_args(source, dest, source_index=BIG, dest_index=target, partitions=4, partition_field=field,
                     max_concurrent=3, requests_per_second=1000)

    with TaskWatcher(dest) as watcher:
        result = run_module("es_reindex", args).result
    assert not result.get("failed"), result.get("msg")
    assert 2 <= watcher.most_at_once <= 3  # concurrent, and bounded by max_concurrent
    assert len(result["copies"]) == 5 and len(set(result["task_ids"])) == 5
    assert {c["state"] for c in result["copies"]} == {"done"}
    lacking = [c for c in result["copies"] if "bool" in c["partition"]][0]
    assert lacking["created"] == (BIG_DOCS // 10 if field == "price" else 0)
    assert ids_of(dest.client, target) == ids_of(source.client, BIG)
    # Each document written once; a two-valued price met in two ranges is a conflict the second time.
    assert result["created"] == BIG_DOCS
    assert sum(c["total"] for c in result["copies"]) == BIG_DOCS + result["version_conflicts"]
    assert run_module("es_reindex", args).result["changed"] is False


def test_partition_field_must_be_numeric_or_date(big_source, dest, whitelisted):
    result = run_module("es_reindex", copy_args(big_source, dest, source_index=BIG, dest_index="tasks_never",
                                                partitions=3, partition_field="productName")).result
    assert result["failed"] and "partition_field 'productName'" in result["msg"] and "numeric or date" in result["msg"]
    assert not dest.client.indices.exists(index="tasks_never")


def test_wait_false_then_inspect_rethrottle_and_reattach(big_source, dest, whitelisted):
    source = big_source
    drop(dest, "tasks_slow")
    slow = copy_args(source, dest, source_index=BIG, dest_index="tasks_slow", size=100, requests_per_second=100)

    started = run_module("es_reindex", dict(slow, wait=False)).result
    assert not started.get("failed"), started.get("msg")
    assert started["changed"] and len(started["task_ids"]) == 1
    task_id = started["task_ids"][0]

    look = run_module("es_reindex_task", dict(dest.connection(), task_id=[task_id])).result
    assert not look.get("failed"), look.get("msg")
    assert look["completed"] is False and look["tasks"][0]["state"] == "running"
    assert look["total"] == BIG_DOCS and look["processed"] < BIG_DOCS and look["changed"] is False
    assert "[tasks_big] to [tasks_slow]" in look["tasks"][0]["description"]
    assert source.password not in str(look)

    # The same copy again, faster: the module follows the running task (rethrottled) instead of starting another.
    followed = run_module("es_reindex", dict(slow, requests_per_second=0)).result
    assert not followed.get("failed"), followed.get("msg")
    assert followed["reattached"] is True and followed["task_ids"] == [task_id]
    assert followed["created"] == BIG_DOCS and followed["version_conflicts"] == 0
    assert ids_of(dest.client, "tasks_slow") == ids_of(source.client, BIG)

    done = run_module("es_reindex_task", dict(dest.connection(), task_id=[task_id])).result
    assert done["completed"] is True and done["tasks"][0]["state"] == "done" and done["created"] == BIG_DOCS


UNTIL_PLAYBOOK = """\
- hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/esops.migration.es: "{{ dest_connection }}"
  tasks:
    - name: Start the copy
      esops.migration.es_reindex: "{{ copy | combine({'wait': false}) }}"
      register: started
    - name: Show progress until it ends
      esops.migration.es_reindex_task:
        task_id: "{{ started.task_ids }}"
      register: progress
      until: progress.completed
      retries: 60
      delay: 1
    - name: Progress line
      ansible.builtin.debug:
        msg: "copied {{ progress.processed }} of {{ progress.total }} ({{ progress.percent }}%)"
"""


def test_a_playbook_follows_a_detached_copy_with_an_until_loop(big_source, dest, whitelisted, tmp_path):
    drop(dest, "tasks_until")
    copy = copy_args(big_source, dest, source_index=BIG, dest_index="tasks_until", size=500, requests_per_second=1000)
    playbook = tmp_path / "until.yml"
    playbook.write_text(UNTIL_PLAYBOOK)
    run = run_playbook(playbook, extra_vars=dict(dest_connection=dest.connection(),
                                                 copy={k: v for k, v in copy.items() if k not in dest.connection()}))
    assert run.rc == 0, run.output[-3000:]
    assert "FAILED - RETRYING: [localhost]: Show progress until it ends" in run.output  # it looked more than once
    assert "copied %d of %d (100.0%%)" % (BIG_DOCS, BIG_DOCS) in run.output
    assert ids_of(dest.client, "tasks_until") == ids_of(big_source.client, BIG)


def test_es_reindex_task_rethrottles_and_cancels(big_source, dest, whitelisted):
    drop(dest, "tasks_cancel")
    started = run_module("es_reindex", copy_args(big_source, dest, source_index=BIG, dest_index="tasks_cancel",
                                                 size=50, requests_per_second=20, wait=False)).result
    task_id = started["task_ids"][0]
    throttle = run_module("es_reindex_task", dict(dest.connection(), task_id=[task_id], requests_per_second=30)).result
    assert not throttle.get("failed"), throttle.get("msg")
    assert throttle["changed"] is True
    assert reindex_tasks(dest)[task_id]["status"]["requests_per_second"] == 30.0

    cancelled = run_module("es_reindex_task", dict(dest.connection(), task_id=[task_id], cancel=True)).result
    assert not cancelled.get("failed"), cancelled.get("msg")
    assert cancelled["changed"] is True and cancelled["completed"] is True
    assert cancelled["tasks"][0]["state"] == "cancelled" and task_id not in reindex_tasks(dest)
    assert run_module("es_reindex_task", dict(dest.connection(), task_id=[task_id], cancel=True)).result[
        "changed"] is False


def restart_then_start_at_once(dest, body):
    """Restart dest's node and start the copy again as soon as the node takes it, as a relocation does within
    seconds (waiting for the node's shards first would let the follower's grace run out on a busy machine).

    The new task is throttled to last about 10 s, as a relocated copy outlasts a few of the follower's polls: an
    unthrottled one ended in 1.6 s, between two polls that the restarted node answered with 503s, and the follower
    rightly found no running task doing the copy."""
    node = eslocal.cluster_nodes(eslocal.load_cluster(dest.name))[0]
    eslocal.stop_node(node)
    eslocal.start_node(eslocal.load_cluster(dest.name), node)
    client = dest.client.options(request_timeout=5, max_retries=0)
    deadline = time.time() + 180
    while True:
        try:
            task_id = client.reindex(wait_for_completion=False, requests_per_second=300, **body)["task"]
            break
        except (TransportError, ApiError) as exc:
            if time.time() > deadline or (isinstance(exc, ApiError) and exc.status_code not in (503, 429)):
                raise
            time.sleep(0.2)
    dest.client.cluster.health(wait_for_status="yellow", timeout="60s")
    return task_id


def test_a_timeout_cancels_unless_told_not_to_and_a_vanished_task_is_found_again_or_lost(
        big_source, dest, whitelisted):
    source = big_source
    drop(dest, "tasks_timeout")
    slow = copy_args(source, dest, source_index=BIG, dest_index="tasks_timeout", size=50, requests_per_second=50,
                     wait_timeout=2)

    cancelled = run_module("es_reindex", slow).result
    assert cancelled["failed"] and "was cancelled" in cancelled["msg"]
    assert "of %d documents" % BIG_DOCS in cancelled["msg"] and cancelled["copies"][0]["state"] == "timed_out"
    time.sleep(1)
    assert not reindex_tasks(dest)

    kept = run_module("es_reindex", dict(slow, cancel_on_timeout=False)).result
    assert kept["failed"] and "is still running" in kept["msg"] and "follows tasks still running" in kept["msg"]
    first_id = kept["task_ids"][0]
    assert first_id in reindex_tasks(dest)

    # A rerun follows the running task; meanwhile its node restarts (the task dies without a stored result) and
    # the same copy comes back under a new id, as when Elasticsearch 9.5+ relocates a reindex.
    # The rerun asks for another rate: the task showing it is the sign that the follower has reattached (on a busy
    # machine the module may take seconds to start, and it must be connected before the restart).
    followed = {}
    follower = threading.Thread(target=lambda: followed.update(
        run_module("es_reindex", dict(slow, wait_timeout=600, requests_per_second=60)).result))
    follower.start()
    deadline = time.time() + 60
    while time.time() < deadline and not dest.client.options(ignore_status=404).tasks.get(task_id=first_id).get(
            "task", {}).get("status", {}).get("requests_per_second") == 60.0:
        time.sleep(0.5)
    time.sleep(3)  # the follower has reattached and polls
    body = build_reindex_body(slow["remote"], BIG, "tasks_timeout", size=50)
    second_id = restart_then_start_at_once(dest, body)

    # es_reindex_task only knows the id: the vanished task is reported lost, never as a success.
    lost = run_module("es_reindex_task", dict(dest.connection(), task_id=[first_id])).result
    assert lost["failed"] and lost["tasks"][0]["state"] == "lost"
    assert "isn't running and hasn't stored its results" in lost["msg"] and "did not finish" in lost["msg"]

    follower.join(timeout=600)
    assert not followed.get("failed"), followed.get("msg")
    assert followed["reattached"] is True
    assert followed["copies"][0]["relocated_from"] == [first_id] and followed["task_ids"] == [second_id]
    assert ids_of(dest.client, "tasks_timeout") == ids_of(source.client, BIG)


def test_tune_dest_turns_replicas_and_refresh_off_during_the_copy_and_restores_them(big_source, dest, whitelisted):
    source = big_source
    drop(dest, "tasks_tuned")
    dest.client.indices.create(index="tasks_tuned", settings={"number_of_replicas": 1, "refresh_interval": "5s"})
    seen = []
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            settings = dest.client.indices.get_settings(index="tasks_tuned", flat_settings=True)
            flat = settings["tasks_tuned"]["settings"]
            seen.append((flat.get("index.number_of_replicas"), flat.get("index.refresh_interval")))
            time.sleep(0.2)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        result = run_module("es_reindex", copy_args(source, dest, source_index=BIG, dest_index="tasks_tuned",
                                                    size=200, requests_per_second=1000, tune_dest=True)).result
    finally:
        stop.set()
        watcher.join()
    assert not result.get("failed"), result.get("msg")
    assert ("0", "-1") in seen
    flat = dest.client.indices.get_settings(index="tasks_tuned", flat_settings=True)["tasks_tuned"]["settings"]
    assert (flat["index.number_of_replicas"], flat["index.refresh_interval"]) == ("1", "5s")
    assert result["tuned"]["tasks_tuned"]["before"] == {"index.number_of_replicas": "1", "index.refresh_interval": "5s"}

    # A copy that fails (price cannot be a date here) still gets the settings back.
    drop(dest, "tasks_tuned")
    dest.client.indices.create(index="tasks_tuned", settings={"number_of_replicas": 1},
                               mappings={"properties": {"productName": {"type": "date"}}})
    failed = run_module("es_reindex", copy_args(source, dest, source_index=BIG, dest_index="tasks_tuned",
                                                tune_dest=True)).result
    assert failed["failed"] and "failure(s)" in failed["msg"]
    flat = dest.client.indices.get_settings(index="tasks_tuned", flat_settings=True)["tasks_tuned"]["settings"]
    assert flat["index.number_of_replicas"] == "1" and "index.refresh_interval" not in flat
