"""Proof that the local clusters are real and that reindex-from-remote works on them (raw client calls)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from elasticsearch import ApiError, AuthenticationException, BadRequestError, Elasticsearch

from esops_testbed import eslocal
from esops_testbed.cluster_support import DEST, PORT_BASE, PREFIX, SOURCE, set_whitelist_line
from esops_testbed.guide_data import GUIDE_MAPPINGS, PRODUCT_DOCS, PRODUCT_INDEX, load_product_info
from esops_testbed.support import REPO_ROOT


def test_clusters_are_real_and_separate(source, dest):
    source_info = source.client.info()
    dest_info = dest.client.info()
    assert source_info["cluster_name"] == SOURCE
    assert dest_info["cluster_name"] == DEST
    assert source_info["version"]["number"] == eslocal.es_version()
    modules = {m["name"] for node in dest.client.nodes.info(metric="plugins")["nodes"].values() for m in node["modules"]}
    assert "reindex" in modules


def test_security_is_on(source):
    anonymous = Elasticsearch(source.url)
    with pytest.raises(AuthenticationException):
        anonymous.cluster.health()


def test_guide_mapping_with_ik_smart_fails_with_the_servers_message(source):
    with pytest.raises(BadRequestError) as raised:
        source.client.indices.create(index="guide_ik_smart", mappings=GUIDE_MAPPINGS)
    assert raised.value.meta.status == 400
    assert "analyzer [ik_smart] has not been configured in mappings" in str(raised.value.body)


def test_reindex_from_remote_needs_the_whitelist(source, dest):
    load_product_info(source.client)
    remote = {"host": source.url, "username": source.username, "password": source.password}
    body_source = {"remote": remote, "index": PRODUCT_INDEX}

    set_whitelist_line(dest.config_file, None)
    dest.restart()
    dest.client.options(ignore_status=404).indices.delete(index="foundation_copy")
    with pytest.raises(ApiError) as raised:
        dest.client.reindex(source=body_source, dest={"index": "foundation_copy"}, refresh=True)
    assert raised.value.meta.status == 400
    assert "[%s] not whitelisted in reindex.remote.whitelist" % source.host_port in str(raised.value.body)

    set_whitelist_line(dest.config_file, source.host_port)
    dest.restart()
    response = dest.client.reindex(source=body_source, dest={"index": "foundation_copy"}, refresh=True)
    assert response["total"] == 6
    assert response["created"] == 6
    assert response["failures"] == []
    hits = dest.client.search(index="foundation_copy", size=20)["hits"]["hits"]
    assert sorted(hit["_source"]["productName"] for hit in hits) == sorted(d["productName"] for d in PRODUCT_DOCS)
    copied = {hit["_id"]: hit["_source"] for hit in hits}
    originals = {hit["_id"]: hit["_source"] for hit in source.client.search(index=PRODUCT_INDEX, size=20)["hits"]["hits"]}
    assert copied == originals


def test_restart_keeps_the_config_file(dest):
    before = dest.config_file.read_bytes()
    dest.restart()
    assert dest.config_file.read_bytes() == before
    assert dest.client.cluster.health()["status"] in ("green", "yellow")


def test_another_process_restarts_a_node_this_process_started_without_killing_it(dest):
    """A role's restart command (`eslocal restart`, another process) stops a node that pytest started: once the node
    exits it stays pytest's zombie, which the restarting process must count as stopped, not wait for until it kills."""
    before = eslocal.node_pid(eslocal.cluster_nodes(eslocal.load_cluster(dest.name))[0])
    restart = subprocess.run(
        [sys.executable, "-m", "esops_testbed.eslocal", "restart", dest.name, "--node", "0"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert restart.returncode == 0, restart.stderr
    assert "did not stop" not in restart.stdout + restart.stderr
    assert eslocal.node_pid(eslocal.cluster_nodes(eslocal.load_cluster(dest.name))[0]) not in (None, before)
    assert dest.client.cluster.health(wait_for_status="yellow", timeout="60s")["status"] in ("green", "yellow")

    exited = subprocess.Popen(["true"])  # a child that exits and is not reaped
    while not eslocal._is_zombie(exited.pid):
        time.sleep(0.05)
    seen_from_another_process = subprocess.run(
        [sys.executable, "-c", "from esops_testbed import eslocal; print(eslocal._pid_alive(%d))" % exited.pid],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True,
    )
    exited.wait()
    assert seen_from_another_process.stdout.strip() == "False"


def test_a_node_that_cannot_start_names_its_log(tmp_path, monkeypatch):
    name = PREFIX + "-broken"
    eslocal.destroy(name)
    meta = eslocal.create_cluster(name, http_port=PORT_BASE + 90, security=False, heap="128m")
    node = eslocal.cluster_nodes(meta)[0]
    with node.config_file.open("a") as config:
        config.write("no.such.setting.anywhere: true\n")
    try:
        with pytest.raises(eslocal.LauncherError) as raised:
            eslocal.start(name)
        message = str(raised.value)
        assert str(node.log_file) in message
        assert "no.such.setting.anywhere" in message
    finally:
        eslocal.destroy(name)


def test_eslocal_jvm_options_reach_new_nodes_and_the_running_session_nodes(source, monkeypatch):
    name = PREFIX + "-jvmflags"
    eslocal.destroy(name)
    monkeypatch.setenv("ESLOCAL_JVM_OPTIONS", "-XX:TieredStopAtLevel=1  -Desops.marker=yes")
    try:
        meta = eslocal.create_cluster(name, http_port=PORT_BASE + 94, security=False, heap="128m")
        node = eslocal.cluster_nodes(meta)[0]
        assert meta["jvm_options"] == ["-XX:TieredStopAtLevel=1", "-Desops.marker=yes"]
        assert (node.config_dir / "jvm.options").read_text().splitlines()[-2:] == meta["jvm_options"]
    finally:
        eslocal.destroy(name)
    # The session's source was created with whatever the suite's environment gave (the Makefile's flags).
    recorded = eslocal.load_cluster(source.name).get("jvm_options", [])
    arguments = next(iter(source.client.nodes.info(metric="jvm")["nodes"].values()))["jvm"]["input_arguments"]
    assert set(recorded) <= set(arguments)
