"""The role's destination preflight and plan on real nodes: room on the destination's disk against the source's
primary store (the server's own figures and watermarks), data stream destinations refused for modes that cannot
write there, and the plan printed by --check --diff; every failure leaves indices and elasticsearch.yml unchanged."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from esops_testbed import eslocal
from esops_testbed.cluster_support import PORT_BASE, PREFIX
from esops_testbed.guide_data import PRODUCT_INDEX, load_product_info
from esops_testbed.support import REPO_ROOT, ensure_collection_tree, run_playbook
from test_role_migration import one_node_inventory, role_vars
from test_role_preflight import COPY, MIGRATE, preflight_failure, state

ensure_collection_tree()

from ansible_collections.esops.migration.plugins.module_utils._cluster import connect_cluster  # noqa: E402

OS2 = PREFIX + "-pre-os2"
OS2_PORT = PORT_BASE + 600  # new offset: 600 (transport +100)
DISK = "cluster.routing.allocation.disk."


def run_role(tmp_path, source, dest, indices_, args=(), **overrides):
    """The role on one destination node, whitelist managed, restarted with the launcher (as test_role_preflight)."""
    info = eslocal.info(dest.name)
    settings = dict(
        remote_reindex_manage_whitelist=True,
        remote_reindex_elasticsearch_yml=str(dest.config_file),
        remote_reindex_node_log=info["nodes"][0]["log_file"],
        remote_reindex_restart_method="command",
        remote_reindex_restart_command=[str(REPO_ROOT / ".venv" / "bin" / "python"),
                                        str(REPO_ROOT / "tools" / "eslocal.py"), "restart", dest.name],
        remote_reindex_restart_timeout=90,
        remote_reindex_poll_delay=1,
        remote_reindex_indices=indices_,
    )
    settings.update(overrides)
    return run_playbook(MIGRATE, list(args), inventory=one_node_inventory(tmp_path),
                        extra_vars=role_vars(source, dest, **settings))


@pytest.fixture()
def prepared(source, dest):
    load_product_info(source.client)
    dest.client.options(ignore_status=404).indices.delete(index=COPY)
    return source, dest


@pytest.fixture()
def watermark_above_free_space(dest):
    """Transient byte watermarks that keep 10 GiB more free than the node has: no room left below them.

    The flood stage stays at 1b so that no index turns read-only; all three are removed afterwards.
    """
    fs = dest.client.nodes.stats(metric="fs")["nodes"]
    (available,) = [node["fs"]["total"]["available_in_bytes"] for node in fs.values()]
    keep = "%db" % (available + 10 * 1024 ** 3)
    settings = {DISK + "threshold_enabled": True, DISK + "watermark.low": keep, DISK + "watermark.high": keep,
                DISK + "watermark.flood_stage": "1b"}
    dest.client.cluster.put_settings(transient=settings)
    yield keep
    dest.client.cluster.put_settings(transient={name: None for name in settings})


def test_no_room_below_the_watermark_fails_before_any_change_naming_need_and_room(
        prepared, watermark_above_free_space, tmp_path):
    source, dest = prepared
    # One segment, flushed: the store size the role reads is the one read here (merges would change it meanwhile).
    source.client.indices.forcemerge(index=PRODUCT_INDEX, max_num_segments=1, flush=True)
    need = source.client.indices.stats(index=PRODUCT_INDEX, metric="store")["_all"]["primaries"]["store"]
    before = state(source, dest)
    run = run_role(tmp_path, source, dest, [{"source": PRODUCT_INDEX, "dest": COPY}, {"source": "no_such_index"}])
    failure = preflight_failure(run)
    assert "Preflight found 2 problem(s)" in failure, failure
    assert "Source index 'no_such_index' does not exist" in failure
    size = need["size_in_bytes"]
    assert re.search(r"need [0-9.]+ KiB \(%d bytes\) of primary store \(%s [0-9.]+ KiB \(%d bytes\)\)"
                     % (size, PRODUCT_INDEX, size), failure), failure
    assert "have 0 bytes usable below the high disk watermark (%swatermark.high %s" % (
        DISK, watermark_above_free_space) in failure, failure
    assert re.search(r"%s-0 [0-9.]+ GiB \(\d+ bytes\) free, 0 bytes usable" % dest.name, failure), failure
    assert state(source, dest) == before


def test_check_diff_prints_the_plan_and_changes_nothing(prepared, tmp_path):
    source, dest = prepared
    config = dest.config_file
    text = config.read_text()
    config.write_text("\n".join(line for line in text.splitlines() if not line.startswith("reindex.remote")) + "\n")
    before = state(source, dest)
    run = run_role(tmp_path, source, dest, [{"source": PRODUCT_INDEX, "dest": COPY}], args=["--check", "--diff"])
    assert run.rc == 0, run.output[-4000:]
    loaded = dest.client.nodes.info(metric="settings", flat_settings=True)["nodes"]
    (node,) = loaded.values()
    loaded_entry = node["settings"].get("reindex.remote.whitelist", "nothing")
    plan = run.output[run.output.index("TASK [esops.migration.remote_reindex : Plan (nothing is changed"):]
    assert "Node %s has loaded reindex.remote.whitelist: %s." % (node["name"], loaded_entry) in plan, plan[:3000]
    assert "dest-node-0: add %s to reindex.remote.whitelist in %s, then restart the node." % (
        source.host_port, config) in plan, plan[:3000]
    assert "Index %s: create it, copy 6 documents from %s." % (COPY, PRODUCT_INDEX) in plan
    # --diff shows the line the whitelist step would add
    assert '+reindex.remote.whitelist: "%s"' % source.host_port in run.output or (
        "+reindex.remote.whitelist: %s" % source.host_port in run.output), run.output[-4000:]
    assert state(source, dest) == before


@pytest.fixture(scope="module")
def opensearch_dest():
    """An OpenSearch 2.19.6 node (data streams in its core; the 7.17 assembly has none) at offset 600."""
    eslocal.destroy(OS2)
    eslocal.start_clusters([eslocal.create_cluster(OS2, http_port=OS2_PORT, heap="320m", server="opensearch-2.19.6")])
    yield connect_cluster(dict(hosts=[eslocal.info(OS2)["url"]]))
    eslocal.destroy(OS2)


def test_data_stream_destinations_refuse_mode_sync_with_the_other_problems(source, opensearch_dest, tmp_path):
    """A data stream, a new name an index template makes a data stream, and a missing source index: one failure."""
    os2 = opensearch_dest
    load_product_info(source.client)
    os2.request("PUT", "/_index_template/esops-streams", body={"index_patterns": ["stream-*"], "data_stream": {}})
    os2.request("PUT", "/_data_stream/stream-live")
    before = (os2.request("GET", "/_data_stream"), os2.request("GET", "/_cat/indices", params={"format": "json"}))
    info = eslocal.info(OS2)
    node = SimpleNamespace(name=OS2, url=info["url"], username="", password="",
                           config_file=Path(info["nodes"][0]["config_file"]))
    run = run_role(tmp_path, source, node, [
        {"source": PRODUCT_INDEX, "dest": "stream-live"}, {"source": PRODUCT_INDEX, "dest": "stream-new"},
        {"source": PRODUCT_INDEX, "dest": "plain-index"}, {"source": "no_such_index", "dest": "plain-other"}],
        remote_reindex_mode="sync", remote_reindex_manage_whitelist=False)
    failure = preflight_failure(run)
    assert "Preflight found 3 problem(s)" in failure, failure
    assert "Destination 'stream-live' is a data stream, which accepts only op_type create: remote_reindex_mode sync" \
        in failure
    assert ("Destination 'stream-new' does not exist yet and an index template with data_stream makes it a data "
            "stream") in failure
    assert "plain-index" not in failure and "Source index 'no_such_index' does not exist" in failure
    assert (os2.request("GET", "/_data_stream"), os2.request("GET", "/_cat/indices", params={"format": "json"})) == before
