"""es_reindex over a faulty link: Toxiproxy (esops_testbed/toxiproxy.py) between the destination and the source.

The destination reads the source through the proxy (remote.host and the whitelist entry are the proxy's
host:port, like a PrivateLink endpoint in the guide); the controller reaches the source directly (option
source). A latency toxic makes each of the copy's batches pay a round trip, so the copy lasts long enough for a
fault to hit it mid-way; every fault test ends with es_verify level content: the destination's ids and
_source equal the source's.

A controller killed mid-copy (SIGKILL) leaves the task running on the destination: the rerun follows it.

Clusters: <prefix>-nf-source and <prefix>-nf-dest on ESOPS_IT_PORT+700/+710 (transport +800/+810); Toxiproxy's
API on +720 and the proxy on +730.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from elasticsearch import helpers

from esops_testbed import eslocal
from esops_testbed.cluster_support import HEAP, PORT_BASE, PREFIX, Cluster, set_whitelist_line
from esops_testbed.support import ansible_bin, ansible_env, ensure_collection_tree, run_module
from esops_testbed.toxiproxy import Toxiproxy

SOURCE = PREFIX + "-nf-source"
DEST = PREFIX + "-nf-dest"
PORTS = {SOURCE: PORT_BASE + 700, DEST: PORT_BASE + 710}
API_PORT = PORT_BASE + 720
PROXY_PORT = PORT_BASE + 730
SILENT_PORT = PORT_BASE + 740  # accepts no connection: a slow connect
INDEX = "faulty_link"
DOCS = 3000
BATCH = 100  # 30 batches: every one pays the latency
LATENCY_MS = 50
OUTAGE = 60  # seconds the source is unreachable (the figure)


class Link:
    def __init__(self, source, dest, proxy):
        self.source, self.dest, self.proxy = source, dest, proxy

    def copy_args(self, dest_index, **extra):
        """es_reindex options: the destination reads through the proxy, the module reads the source directly."""
        remote = dict(host=self.proxy.url, username=self.source.username, password=self.source.password)
        remote.update(extra.pop("remote", {}))
        return dict(self.dest.connection(), remote=remote, source=self.source.connection(), source_index=[INDEX],
                    dest_index=dest_index, size=BATCH, poll_interval=0.5, **extra)


def start_pair():
    """Fresh source and dest clusters, dest whitelisting the proxy's address from its first start."""
    metas = []
    for name in (SOURCE, DEST):
        eslocal.destroy(name)
        metas.append(eslocal.create_cluster(name, http_port=PORTS[name], heap=HEAP))
    set_whitelist_line(Path(eslocal.info(DEST)["nodes"][0]["config_file"]),
                       "127.0.0.1:%d, 127.0.0.1:%d" % (PROXY_PORT, SILENT_PORT))
    eslocal.start_clusters(metas)
    return Cluster(SOURCE), Cluster(DEST)


@pytest.fixture(scope="module")
def link(tmp_path_factory):
    toxiproxy = Toxiproxy(tmp_path_factory.mktemp("toxiproxy"), API_PORT).start()
    try:
        source, dest = start_pair()
        proxy = toxiproxy.proxy("source", PROXY_PORT, source.host_port)
        source.client.indices.create(index=INDEX, settings={"number_of_shards": 1, "number_of_replicas": 0})
        docs = ({"_index": INDEX, "_id": "d%d" % n, "_source": {"n": n, "name": "doc %d" % n}} for n in range(DOCS))
        helpers.bulk(source.client, docs, refresh=True)
        yield Link(source, dest, proxy)
    finally:
        toxiproxy.stop()
        for name in (SOURCE, DEST):
            eslocal.stop(name)


@pytest.fixture()
def slow_link(link):
    """Every response of the source reaches the destination LATENCY_MS later; the toxics go at the end."""
    link.proxy.add_toxic("latency", latency=LATENCY_MS, jitter=LATENCY_MS // 5)
    yield link
    link.proxy.clear_toxics()
    link.proxy.set_enabled(True)


def copied_so_far(dest):
    """Documents the running reindex task on dest has processed, or None when none runs."""
    listing = dest.client.tasks.list(actions="indices:data/write/reindex", detailed=True)
    for node in listing["nodes"].values():
        for task in node["tasks"].values():
            status = task.get("status") or {}
            return status.get("created", 0) + status.get("version_conflicts", 0)
    return None


def running_tasks(dest):
    """{task id: documents processed} of the reindex tasks running on dest."""
    listing = dest.client.tasks.list(actions="indices:data/write/reindex", detailed=True)
    return {"%s:%s" % (task["node"], task["id"]): sum((task.get("status") or {}).get(key, 0)
                                                      for key in ("created", "updated", "version_conflicts"))
            for node in listing["nodes"].values() for task in node["tasks"].values()}


def until_no_copy_runs(dest):
    while copied_so_far(dest) is not None:
        time.sleep(0.1)


def when_copy_is_under_way(dest, copy, least=BATCH * 3):
    """Wait until the copy (a future) has processed `least` documents; fails if it ended before."""
    while not copy.done():
        done = copied_so_far(dest)
        if done is not None and done >= least:
            return done
        time.sleep(0.1)
    raise AssertionError("the copy ended before the fault could hit it: %s" % copy.result().result)


def run_with_fault(link, args, fault):
    """Run es_reindex in the background and call fault() once the copy is under way; the module's result."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        copy = pool.submit(run_module, "es_reindex", args)
        when_copy_is_under_way(link.dest, copy)
        fault()
        return copy.result().result


def verify_content(link, dest_index):
    args = dict(link.dest.connection(), source=dict(link.source.connection(), index=INDEX), dest_index=dest_index,
                level="content")
    return run_module("es_verify", args).result


def drop(dest, index):
    dest.client.options(ignore_status=404).indices.delete(index=index)


def test_a_link_reset_mid_copy_fails_the_task_with_the_servers_error_and_a_rerun_completes_it(slow_link):
    link, dest_index = slow_link, "after_reset"
    drop(link.dest, dest_index)

    def reset_the_link():
        # reset_peer resets a connection when data next passes: kept until the task has ended.
        toxic = link.proxy.add_toxic("reset_peer", timeout=0)
        while copied_so_far(link.dest) is not None:
            time.sleep(0.1)
        link.proxy.remove_toxic(toxic)

    result = run_with_fault(link, link.copy_args(dest_index), reset_the_link)
    print("after a reset: %s" % result.get("msg"))
    assert result["failed"], result
    # A failed task makes no final refresh: the last batch it wrote is counted only after one.
    link.dest.client.indices.refresh(index=dest_index)
    copied = link.dest.client.count(index=dest_index)["count"]
    assert 0 < copied < DOCS, copied  # the server does not retry a reset scroll: the task failed mid-way
    # The destination's HTTP client's words: the server reports the broken scroll as the task's error.
    assert "failed: connection_closed_exception: Connection is closed" in result["msg"], result["msg"]

    link.proxy.clear_toxics()  # the rerun need not pay the latency
    rerun = run_module("es_reindex", link.copy_args(dest_index)).result
    assert not rerun.get("failed"), rerun
    assert rerun["created"] == DOCS - copied and rerun["version_conflicts"] == copied, rerun
    verified = verify_content(link, dest_index)
    assert verified["match"] is True, verified


def test_the_source_unreachable_mid_copy_fails_the_task_at_once_and_retries_complete_the_copy(slow_link):
    """The proxy off for OUTAGE (60) seconds mid-copy.

    The server: its HTTP client to the remote sees the connection closed, then refused; reindex retries a remote
    search only when the remote rejects it as overloaded (429), so the task fails within 2 s of the cut (0.2-1.8 s),
    whatever the outage lasts. The module: the copy is retryable (a broken link); its retries, after back-offs of
    0.35 * OUTAGE seconds doubling (21 s, 42 s), find the source still unreachable the first time (refused at
    once) and complete the copy the second time, in mode create: the documents the first attempt wrote are
    version conflicts, the others created.
    """
    link, dest_index = slow_link, "after_outage"
    drop(link.dest, dest_index)
    back_on = threading.Timer(OUTAGE, link.proxy.set_enabled, (True,))
    seen = {}

    def cut_the_link():
        link.proxy.set_enabled(False)
        cut = time.monotonic()
        back_on.start()
        until_no_copy_runs(link.dest)
        seen["task_failed_after"] = time.monotonic() - cut

    args = link.copy_args(dest_index, retries=3, retry_delay=OUTAGE * 0.35)
    started = time.monotonic()
    try:
        result = run_with_fault(link, args, cut_the_link)
    finally:
        back_on.join()
    attempts = result["retried"][0]["attempts"] if result.get("retried") else []
    print("source unreachable for %d s: the task failed %.1f s after the cut; copy ended after %.1f s; attempts %s;"
          " progress %s" % (OUTAGE, seen["task_failed_after"], time.monotonic() - started,
                            [(a["processed"], a["back_off"], a["retry_mode"], a["error"][-90:]) for a in attempts],
                            [(p["seconds"], p["documents"]) for p in result.get("progress", [])]))
    assert not result.get("failed"), result
    assert seen["task_failed_after"] < OUTAGE / 4, seen  # the server did not wait the outage out
    assert attempts[0]["state"] == "failed" and 0 < attempts[0]["processed"] < DOCS, attempts
    assert [attempt["back_off"] for attempt in attempts] == [OUTAGE * 0.35, OUTAGE * 0.7], attempts
    assert "cannot connect" in attempts[-1]["error"] or "Connection refused" in attempts[-1]["error"], attempts
    assert result["created"] + result["version_conflicts"] == DOCS and result["version_conflicts"] > 0, result
    verified = verify_content(link, dest_index)
    assert verified["match"] is True, verified


def test_a_remote_slower_than_socket_timeout_fails_telling_to_raise_socket_timeout(link):
    dest_index = "slow_remote"
    drop(link.dest, dest_index)
    link.proxy.add_toxic("latency", latency=3000)
    try:
        result = run_module("es_reindex", link.copy_args(dest_index, remote=dict(socket_timeout="1s"))).result
    finally:
        link.proxy.clear_toxics()
    print("slow remote: %s" % result.get("msg"))
    assert result["failed"], result
    assert "socket_timeout_exception: 1,000 milliseconds timeout on connection" in result["msg"], result["msg"]
    assert "raise remote.socket_timeout" in result["msg"], result["msg"]


def test_a_link_that_stops_passing_data_fails_the_copy_telling_to_raise_socket_timeout(slow_link):
    """The timeout toxic mid-copy: the proxy holds the connection open but passes no more data."""
    link, dest_index = slow_link, "stalled_link"
    drop(link.dest, dest_index)

    def stall_the_link():
        link.proxy.add_toxic("timeout", timeout=0)  # 0: data stops and the connection is held until removed
        until_no_copy_runs(link.dest)

    result = run_with_fault(link, link.copy_args(dest_index, remote=dict(socket_timeout="2s")), stall_the_link)
    print("stalled link: %s" % result.get("msg"))
    assert result["failed"], result
    link.dest.client.indices.refresh(index=dest_index)
    assert 0 < link.dest.client.count(index=dest_index)["count"] < DOCS
    assert "socket_timeout_exception: 2,000 milliseconds timeout on connection" in result["msg"], result["msg"]
    assert "raise remote.socket_timeout" in result["msg"], result["msg"]


def test_a_bandwidth_cap_makes_the_copy_slow_but_complete(link):
    dest_index = "capped_link"
    drop(link.dest, dest_index)
    # What the remote sends: about a search response of BATCH documents per batch.
    batch_bytes = len(json.dumps(link.source.client.search(index=INDEX, size=BATCH).body))
    rate = max(1, batch_bytes * DOCS // BATCH // 1000 // 2)  # KB/s for about 2 s of transfer
    link.proxy.add_toxic("bandwidth", rate=rate)
    started = time.monotonic()
    try:
        result = run_module("es_reindex", link.copy_args(dest_index)).result
    finally:
        link.proxy.clear_toxics()
    seconds = time.monotonic() - started
    least = batch_bytes * DOCS / BATCH / (rate * 1000.0)
    print("bandwidth %d KB/s: %d batches of ~%d bytes copied in %.1f s, the task took %.1f s (the cap alone needs %.1f s)"
          % (rate, DOCS // BATCH, batch_bytes, seconds, result.get("took", 0) / 1000.0, least))
    assert not result.get("failed"), result
    assert result["created"] == DOCS, result
    assert result["took"] / 1000.0 >= 0.7 * least, result["took"]  # the cap held the task back
    verified = verify_content(link, dest_index)
    assert verified["match"] is True, verified


@pytest.fixture()
def silent_port():
    """A loopback port whose listen queue is full, so that a connect to it is never answered (the SYN is dropped)."""
    with socket.socket() as listener, socket.socket() as first:
        listener.bind(("127.0.0.1", SILENT_PORT))
        listener.listen(0)
        first.connect(("127.0.0.1", SILENT_PORT))  # fills the queue; it is never accepted
        yield SILENT_PORT


def test_a_connect_slower_than_connect_timeout_fails_telling_to_raise_connect_timeout(link, silent_port):
    dest_index = "slow_connect"
    drop(link.dest, dest_index)
    remote = dict(host="http://127.0.0.1:%d" % silent_port, connect_timeout="1s")
    result = run_module("es_reindex", link.copy_args(dest_index, remote=remote)).result
    print("slow connect: %s" % result.get("msg"))
    assert result["failed"], result
    assert "connect_exception: Timeout connecting to [/127.0.0.1:%d]" % silent_port in result["msg"], result["msg"]
    assert "raise remote.connect_timeout" in result["msg"], result["msg"]


def start_module_playbook(tmp_path, module, args):
    """ansible-playbook running one module, in its own process group (so that it can be killed with its workers)."""
    ensure_collection_tree()
    (tmp_path / "args.json").write_text(json.dumps({"module_args": args}))
    playbook = tmp_path / "play.yml"
    playbook.write_text("- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n"
                        "    - %s: \"{{ module_args }}\"\n" % module)
    return subprocess.Popen([ansible_bin("ansible-playbook"), "-i", "localhost,", str(playbook),
                             "-e", "@%s" % (tmp_path / "args.json")], env=ansible_env(), cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def test_a_controller_killed_mid_copy_leaves_the_task_running_and_the_rerun_reattaches_and_finishes(link, tmp_path):
    dest_index = "after_kill"
    drop(link.dest, dest_index)
    # Throttled to 50 documents a second, the copy lasts a minute: the rerun finds it running.
    controller = start_module_playbook(tmp_path, "esops.migration.es_reindex",
                                       link.copy_args(dest_index, requests_per_second=50))
    try:
        while (copied_so_far(link.dest) or 0) < BATCH * 3:
            assert controller.poll() is None, "the module ended before it could be killed"
            time.sleep(0.1)
    finally:
        os.killpg(controller.pid, signal.SIGKILL)
        controller.wait()
    assert copied_so_far(link.dest) is not None  # the task runs on in the destination without its controller

    rerun = run_module("es_reindex", link.copy_args(dest_index, requests_per_second=0)).result  # 0: unthrottled
    print("rerun after SIGKILL: reattached=%s created=%s" % (rerun.get("reattached"), rerun.get("created")))
    assert not rerun.get("failed"), rerun
    assert rerun["reattached"] is True and rerun["created"] == DOCS, rerun  # the first task wrote every document
    verified = verify_content(link, dest_index)
    assert verified["match"] is True, verified


def dest_versions(dest, index):
    """{_id: _version} of every document of the index."""
    answer = dest.client.search(index=index, size=DOCS + 1, version=True, source=False, query={"match_all": {}})
    return {hit["_id"]: hit["_version"] for hit in answer["hits"]["hits"]}


def test_a_partition_reset_mid_copy_is_retried_in_create_mode_and_the_other_partition_is_not_redone(link):
    """Mode overwrite, two partitions throttled; one is sped up and ends, then the link is reset under the other.

    The reset partition is retried in mode create: the documents its failed attempt wrote are version conflicts,
    not written again (every destination document has _version 1); the partition that ended is not redone.
    """
    dest_index = "partition_reset"
    drop(link.dest, dest_index)
    args = link.copy_args(dest_index, mode="overwrite", partitions=2, partition_field="n", max_concurrent=3,
                          requests_per_second=300, retries=2, retry_delay=1)
    seen = {}

    def end_one_partition_then_reset_the_other():
        while True:  # both partitions under way (the third task, for documents without n, has nothing to copy)
            tasks = running_tasks(link.dest)
            if len(tasks) == 2 and min(tasks.values()) >= BATCH:
                break
            time.sleep(0.05)
        seen["fast"], seen["reset"] = sorted(tasks)
        link.dest.client.reindex_rethrottle(task_id=seen["fast"], requests_per_second=-1)
        while seen["fast"] in running_tasks(link.dest):
            time.sleep(0.05)
        toxic = link.proxy.add_toxic("reset_peer", timeout=0)
        until_no_copy_runs(link.dest)  # the reset partition failed; its retry waits retry_delay
        link.proxy.remove_toxic(toxic)

    result = run_with_fault(link, args, end_one_partition_then_reset_the_other)
    copies = {copy["task_id"]: copy for copy in result.get("copies", [])}
    print("partition reset: retried %s" % result.get("retried"))
    assert not result.get("failed"), result
    assert len(result["retried"]) == 1, result["retried"]
    attempt = result["retried"][0]["attempts"][0]
    assert attempt["task_id"] == seen["reset"] and attempt["state"] == "failed", attempt
    assert "Connection is closed" in attempt["error"] and attempt["reason"] == "the link to the remote broke", attempt
    assert (attempt["mode"], attempt["retry_mode"], attempt["back_off"]) == ("overwrite", "create", 1), attempt
    fast = copies[seen["fast"]]  # the partition that ended was not redone: its first task is its last
    assert fast["state"] == "done" and "retried" not in fast and fast["created"] == fast["total"] > 0, fast
    retried = [copy for copy in result["copies"] if copy.get("retried")][0]
    assert retried["version_conflicts"] > 0 and retried["updated"] == 0, retried
    assert retried["created"] + retried["version_conflicts"] == retried["total"], retried
    assert fast["total"] + retried["total"] == DOCS
    versions = dest_versions(link.dest, dest_index)
    assert len(versions) == DOCS and set(versions.values()) == {1}, sorted(set(versions.values()))  # none written twice
    verified = verify_content(link, dest_index)
    assert verified["match"] is True, verified


def test_a_source_node_restarting_mid_copy_fails_the_task_and_retries_complete_the_copy(link):
    """The source's node stopped (SIGTERM) and started again (25-57 s here) while a throttled copy reads it through
    the proxy.

    The server: the task fails at once (connection_closed_exception: Connection is closed); while the node is down,
    the proxy accepts each connection and closes it (Connection is closed / socket_exception: Connection reset); once
    the node listens again but its shard is not recovered, the remote answers 503 (search_phase_execution_exception:
    Search rejected due to missing shards, then no_shard_available_action_exception). It retries none of these.
    The module: every one of these is retryable; it runs the copy again after 1.5 s, doubling, in mode create,
    until an attempt completes it.
    """
    dest_index = "source_restart"
    drop(link.dest, dest_index)
    args = link.copy_args(dest_index, requests_per_second=400, retries=7, retry_delay=1.5)  # up to 190 s in all
    seen = {}

    def restart_the_source():
        stopped = time.monotonic()
        eslocal.restart(SOURCE)
        seen["restart_seconds"] = time.monotonic() - stopped

    result = run_with_fault(link, args, restart_the_source)
    attempts = result["retried"][0]["attempts"] if result.get("retried") else []
    print("source restart (%.1f s): %s; attempts %s" % (
        seen["restart_seconds"], result.get("msg"), [(a["processed"], a["back_off"], a["error"][-120:]) for a in attempts]))
    assert not result.get("failed"), result.get("msg")
    assert attempts and attempts[0]["state"] == "failed" and 0 < attempts[0]["processed"] < DOCS, attempts
    assert all(attempt["retry_mode"] == "create" for attempt in attempts), attempts
    assert result["created"] + result["version_conflicts"] == DOCS and result["version_conflicts"] > 0, result
    verified = verify_content(link, dest_index)
    assert verified["match"] is True, verified
