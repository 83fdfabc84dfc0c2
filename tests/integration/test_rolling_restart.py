"""The role on a multi-node destination restarts the nodes one at a time, health-gated.

Three master-eligible nodes, as a production cluster has: with two, restarting the elected master leaves the
other without a quorum, whatever the role does.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import yaml
from elasticsearch import Elasticsearch

from esops_testbed import eslocal
from esops_testbed.cluster_support import PORT_BASE, PREFIX, set_whitelist_line, start_fresh
from esops_testbed.guide_data import PRODUCT_INDEX, load_product_info
from esops_testbed.support import REPO_ROOT, run_playbook
from test_role_migration import recap

CLUSTER = PREFIX + "-dest2"
MIGRATE = REPO_ROOT / "playbooks" / "migrate.yml"


@pytest.fixture(scope="module")
def dest2():
    """A three-node destination cluster, green, with an index that has a replica."""
    start_fresh([CLUSTER], ports={CLUSTER: PORT_BASE + 20}, nodes=3)
    data = eslocal.info(CLUSTER)
    client = Elasticsearch(data["urls"], basic_auth=(data["username"], data["password"]), request_timeout=30)
    client.cluster.health(wait_for_nodes="3", timeout="60s")
    client.indices.create(index="probe", settings={"number_of_shards": 2, "number_of_replicas": 1})
    client.cluster.health(wait_for_status="green", timeout="60s")
    yield data, client
    eslocal.stop(CLUSTER)


def write_inventory(path, data, source, restart_commands=None, host_vars=None):
    restart_commands = restart_commands or {}
    hosts = {}
    for index, node in enumerate(data["nodes"]):
        host = "dest2-node-%d" % index
        hosts[host] = dict(
            ansible_connection="local",
            remote_reindex_elasticsearch_yml=node["config_file"],
            remote_reindex_node_url=node["url"],
            remote_reindex_node_log=node["log_file"],
            remote_reindex_restart_command=restart_commands.get(
                host, "%s %s restart %s --node %d" % (
                    REPO_ROOT / ".venv" / "bin" / "python", REPO_ROOT / "tools" / "eslocal.py", CLUSTER, index)),
        )
        hosts[host].update((host_vars or {}).get(host, {}))
    group_vars = dict(
        remote_reindex_source_url=source.url,
        remote_reindex_source_username=source.username,
        remote_reindex_source_password=source.password,
        remote_reindex_dest_hosts=data["urls"],
        remote_reindex_dest_username=data["username"],
        remote_reindex_dest_password=data["password"],
        remote_reindex_restart_method="command",
        remote_reindex_restart_timeout=60,
        remote_reindex_poll_delay=1,
        remote_reindex_indices=[dict(source=PRODUCT_INDEX, dest="rolling_copy",
                                     settings=dict(number_of_shards=1, number_of_replicas=1))],
    )
    path.write_text(yaml.safe_dump({"all": {"children": {"es_dest_nodes": {"hosts": hosts, "vars": group_vars}}}}))
    return str(path)


class HealthWatch:
    """Asks the cluster for its health every 0.2 s from another thread, as a client of both nodes would."""

    def __init__(self, urls, auth):
        self.client = Elasticsearch(urls, basic_auth=auth, request_timeout=2, max_retries=1, retry_on_timeout=True)
        self.samples = []  # (time, status or None when the request failed, number_of_nodes)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                health = self.client.cluster.health()
                self.samples.append((time.monotonic(), health["status"], health["number_of_nodes"]))
            except Exception:  # noqa: BLE001 - a failed request is what is being measured
                self.samples.append((time.monotonic(), None, 0))
            time.sleep(0.2)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def longest_failure(self):
        longest, started = 0.0, None
        for moment, status, _nodes in self.samples:
            if status is None and started is None:
                started = moment
            elif status is not None and started is not None:
                longest, started = max(longest, moment - started), None
        return longest


def pids(data):
    return [node["pid"] for node in eslocal.info(CLUSTER)["nodes"]]


def test_nodes_restart_one_at_a_time_without_red_and_a_rerun_restarts_nothing(dest2, source, tmp_path):
    data, client = dest2
    load_product_info(source.client)
    inventory = write_inventory(tmp_path / "hosts.yml", data, source)
    before = pids(data)
    with HealthWatch(data["urls"], (data["username"], data["password"])) as watch:
        started = time.monotonic()
        run = run_playbook(MIGRATE, inventory=inventory)
        elapsed = time.monotonic() - started
    assert run.rc == 0, run.output[-5000:]
    after = pids(data)
    assert all(old != new for old, new in zip(before, after)), (before, after)

    statuses = [sample[1] for sample in watch.samples if sample[1]]
    assert "red" not in statuses and statuses.count("yellow") > 0, statuses
    assert min(sample[2] for sample in watch.samples if sample[1]) == 2  # one node away at a time, never two
    assert watch.longest_failure() < 30, watch.longest_failure()
    output = run.output
    assert (output.index("restart command on dest2-node-0") < output.index("restart command on dest2-node-1")
            < output.index("restart command on dest2-node-2"))
    persistent = client.cluster.get_settings()["persistent"]
    assert "allocation" not in str(persistent), persistent
    assert client.cluster.health()["status"] == "green"
    assert client.count(index="rolling_copy")["count"] == 6
    print("rolling restart of 3 nodes + migration: %.1f s, %d health samples, longest failing stretch %.1f s"
          % (elapsed, len(watch.samples), watch.longest_failure()))

    rerun = run_playbook(MIGRATE, inventory=inventory)
    assert rerun.rc == 0, rerun.output[-3000:]
    assert pids(data) == after
    assert all(counters["changed"] == 0 for counters in recap(rerun.output).values()), rerun.output[-3000:]


def test_a_wrong_restart_command_names_the_node_and_reports_the_pending_change(dest2, source, tmp_path):
    data = dest2[0]
    node1 = data["nodes"][1]
    set_whitelist_line(Path(node1["config_file"]), None)
    inventory = write_inventory(tmp_path / "hosts.yml", data, source, {"dest2-node-1": "/bin/false"})
    started = time.monotonic()
    run = run_playbook(MIGRATE, inventory=inventory)
    elapsed = time.monotonic() - started
    assert run.rc != 0
    assert "Restart of dest2-node-1 failed" in run.output
    assert elapsed < 60 + 60  # the configured timeout plus Ansible's own start-up
    assert recap(run.output)["dest2-node-1"]["changed"] >= 1  # the file change is reported as done
    assert "Whitelist the source in elasticsearch.yml of this destination node" in run.output


def test_a_node_that_does_not_come_back_fails_naming_it_within_the_timeout(dest2, source, tmp_path):
    data, client = dest2
    load_product_info(source.client)  # else the role's preflight stops before any restart
    node2 = eslocal.info(CLUSTER)["nodes"][2]
    set_whitelist_line(Path(node2["config_file"]), None)
    # The "restart" stops the node and never starts it again.
    inventory = write_inventory(tmp_path / "hosts.yml", data, source, {"dest2-node-2": "kill %d" % node2["pid"]})
    text = Path(inventory).read_text().replace("remote_reindex_restart_timeout: 60", "remote_reindex_restart_timeout: 15")
    Path(inventory).write_text(text)
    try:
        started = time.monotonic()
        run = run_playbook(MIGRATE, inventory=inventory)
        elapsed = time.monotonic() - started
        assert run.rc != 0
        assert 'Restart of dest2-node-2 failed at "Wait until the node answers and has rejoined the cluster' in run.output
        assert "cluster.routing.allocation.enable" in run.output  # tells what is left to restore
        # The "restart" cannot start the node again, so putting the previous file back cannot restart it either.
        assert "Putting back its previous elasticsearch.yml" in run.output
        assert elapsed < 15 + 120, elapsed  # the timeout, plus Ansible's start-up and the preflight on 2 busy cores
    finally:
        eslocal.restart(CLUSTER, node_index=2)
        client.cluster.put_settings(persistent={"cluster.routing.allocation.enable": None})
        client.cluster.health(wait_for_status="green", timeout="60s")


def test_a_node_the_server_refuses_to_start_gets_its_file_back_and_rejoins_before_the_role_fails(dest2, source, tmp_path):
    """A reindex.ssl CA file that does not exist on the node: Elasticsearch 7.17 refuses to start with it."""
    data, client = dest2
    load_product_info(source.client)
    nodes = eslocal.info(CLUSTER)["nodes"]
    config = Path(nodes[0]["config_file"])
    if source.host_port not in config.read_text():  # the whitelist alone must not be what changes
        set_whitelist_line(config, source.host_port)
        eslocal.restart(CLUSTER, node_index=0)
        client.cluster.health(wait_for_status="green", wait_for_nodes="3", timeout="60s")
    before_bytes = config.read_bytes()
    before = pids(data)
    inventory = write_inventory(tmp_path / "hosts.yml", data, source, host_vars={
        "dest2-node-0": {"remote_reindex_whitelist_ssl": {"certificate_authorities": ["missing-ca.pem"]}}})
    started = time.monotonic()
    run = run_playbook(MIGRATE, inventory=inventory)
    elapsed = time.monotonic() - started
    print("refused restart put back and recovered in %.1f s" % elapsed)

    assert run.rc != 0, run.output[-3000:]
    assert config.read_bytes() == before_bytes
    after = pids(data)
    assert after[0] not in (None, before[0]) and after[1:] == before[1:], (before, after)
    health = client.cluster.health()
    assert (health["status"], health["number_of_nodes"]) == ("green", 3), health
    assert "allocation" not in str(client.cluster.get_settings()["persistent"])
    failure = run.output[run.output.index("Stop, naming the node that did not come back with the new"):]
    assert "Restart of dest2-node-0 failed" in failure, failure[:3000]
    assert "cannot configure trust using PEM certificates [%s] because one or more files do not exist" % (
        config.parent / "missing-ca.pem") in failure, failure[:3000]
    assert "previous elasticsearch.yml was put back" in failure
    assert "Copy the documents with reindex-from-remote" not in run.output  # the role stopped before copying
