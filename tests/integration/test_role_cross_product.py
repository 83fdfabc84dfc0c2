"""The role end to end across products, on real nodes: Elasticsearch 6.8.23 (security on) -> Elasticsearch 7.17.29,
Elasticsearch 7.17.29 -> OpenSearch 2.19.6 and -> OpenSearch 3.8.0, OpenSearch 2.19.6 -> OpenSearch 3.8.0, and an
OpenSearch 2.19.6 -> Elasticsearch 7.17.29 pair refused with its reason before any change.

Each run edits the destination node's YAML file under the name its product takes (the allowlist on OpenSearch,
a whitelist line moved to it; OpenSearch 3.x would not start with the whitelist name), restarts it with the
launcher, creates the index from the source's definition (copy_from), copies, compares every document (es_verify
content), and a rerun changes nothing. Four servers, started once for the module: Elasticsearch 7.17 is a
destination and then a source, OpenSearch 2.19 too.
"""

from __future__ import annotations

import re
import sys

import pytest

from esops_testbed import eslocal
from esops_testbed.cluster_support import PORT_BASE, PREFIX
from esops_testbed.support import REPO_ROOT, ensure_collection_tree, run_playbook

ensure_collection_tree()

from ansible_collections.esops.migration.plugins.module_utils._cluster import connect_cluster, path  # noqa: E402

MIGRATE = REPO_ROOT / "playbooks" / "migrate.yml"
ES6, ES7, OS2, OS3 = "elasticsearch-6.8.23", "elasticsearch-7.17.29", "opensearch-2.19.6", "opensearch-3.8.0"
SERVERS = {ES6: ("es6", 300, "256m"), ES7: ("es7", 310, "256m"), OS2: ("os2", 320, "320m"), OS3: ("os3", 330, "384m")}
# An entry OpenSearch 2.19 holds before the role runs, under the deprecated name the role moves to the allowlist.
OLD_ENTRY = "10.1.2.3:9200"
MAPPINGS = {"properties": {"name": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
                           "price": {"type": "float"}, "tags": {"type": "keyword"}}}


def documents(label):
    return {"%s-%d" % (label, number): {"name": "%s item %d" % (label, number), "price": number * 0.5,
                                        "tags": ["t%d" % (number % 4)]} for number in range(25)}


class Node:
    """One single-node cluster of the module: connection, config file, pid, restart command."""

    def __init__(self, server):
        self.server = server
        self.name = "%s-xr-%s" % (PREFIX, SERVERS[server][0])

    @property
    def info(self):
        return eslocal.info(self.name)

    @property
    def url(self):
        return self.info["url"]

    @property
    def host_port(self):
        return self.url.split("://", 1)[1]

    @property
    def connection(self):
        info = self.info
        return dict(hosts=[info["url"]], username=info["username"], password=info["password"])

    @property
    def cluster(self):
        return connect_cluster(self.connection)

    @property
    def config_file(self):
        return eslocal.cluster_nodes(eslocal.load_cluster(self.name))[0].config_file

    @property
    def pid(self):
        return self.info["nodes"][0]["pid"]

    def loaded_remote_settings(self):
        answer = self.cluster.request("GET", "/_nodes/settings", {"flat_settings": True})
        settings = list(answer["nodes"].values())[0]["settings"]
        return {key: value for key, value in settings.items() if key.startswith("reindex.remote.")}

    def load(self, index, docs, typed):
        cluster = self.cluster
        mappings = {"_doc": MAPPINGS} if typed else MAPPINGS
        cluster.request("PUT", path(index), body={"settings": {"number_of_shards": 2, "number_of_replicas": 0},
                                                  "mappings": mappings})
        for doc_id, doc in docs.items():
            cluster.request("PUT", path(index, "_doc", doc_id), body=doc)
        cluster.request("POST", path(index, "_refresh"))


@pytest.fixture(scope="module")
def nodes():
    """The four servers, started at once (OpenSearch 2.19 holding a whitelist line), destroyed at the end."""
    created = {server: Node(server) for server in SERVERS}
    metas = []
    for server, node in created.items():
        eslocal.destroy(node.name)
        metas.append(eslocal.create_cluster(node.name, http_port=PORT_BASE + SERVERS[server][1],
                                            heap=SERVERS[server][2], server=server))
    try:
        os2_config = created[OS2].config_file
        os2_config.write_text(os2_config.read_text() + 'reindex.remote.whitelist: "%s"\n' % OLD_ENTRY)
        eslocal.start_clusters(metas)
        created[ES6].load("items6", documents("es6"), typed=True)
        created[ES7].load("items7", documents("es7"), typed=False)
        created[OS2].load("items_os2", documents("os2"), typed=False)
        yield created
    finally:
        for node in created.values():
            eslocal.destroy(node.name)


def inventory(tmp_path, dest):
    """One destination host: its YAML file, restarted by the launcher."""
    command = "%s %s restart %s --node 0" % (sys.executable, REPO_ROOT / "tools" / "eslocal.py", dest.name)
    text = ("all:\n  hosts:\n    dest-node-0:\n      ansible_connection: local\n"
            "      remote_reindex_elasticsearch_yml: %s\n      remote_reindex_restart_command: \"%s\"\n"
            "  children:\n    es_dest_nodes:\n      hosts:\n        dest-node-0:\n" % (dest.config_file, command))
    target = tmp_path / "hosts.yml"
    target.write_text(text)
    return str(target)


def run_role(tmp_path, source, dest, index, dest_index):
    source_connection, dest_connection = source.connection, dest.connection
    extra_vars = dict(
        remote_reindex_source_url=source.url,
        remote_reindex_source_username=source_connection["username"] or "",
        remote_reindex_source_password=source_connection["password"] or "",
        remote_reindex_dest_hosts=[dest.url],
        remote_reindex_dest_username=dest_connection["username"] or "",
        remote_reindex_dest_password=dest_connection["password"] or "",
        remote_reindex_restart_method="command",
        remote_reindex_whitelist_backup=False,
        remote_reindex_verify_level="content",
        remote_reindex_indices=[{"source": index, "dest": dest_index, "copy_from": True,
                                 "settings": {"number_of_replicas": 0}}],
    )
    return run_playbook(MIGRATE, inventory=inventory(tmp_path, dest), extra_vars=extra_vars)


def recap(output):
    return {host: {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", counters)}
            for host, counters in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", output, re.M)}


def migrates_and_reruns(tmp_path, source, dest, index, dest_index, docs, setting, moved=()):
    """Run the role, check the file, the loaded setting, the copy and the rerun; return the first run's output."""
    config_before, pid_before = dest.config_file.read_text(), dest.pid
    first = run_role(tmp_path, source, dest, index, dest_index)
    assert first.rc == 0, first.output[-5000:]

    # The file: only the remote hosts setting changed, under the name the destination takes.
    config_after = dest.config_file.read_text()
    removed = [line for line in config_before.splitlines() if line not in config_after.splitlines()]
    added = [line for line in config_after.splitlines() if line not in config_before.splitlines()]
    assert all(line in removed for line in moved), (removed, moved)
    assert all(line in moved or line.startswith(setting + ":") for line in removed), removed
    assert len(added) == 1 and added[0].startswith(setting + ":") and source.host_port in added[0], added
    # The node was restarted and loaded it.
    assert dest.pid != pid_before
    loaded = dest.loaded_remote_settings()
    assert set(key.rsplit(".", 1)[0] if key[-1].isdigit() else key for key in loaded) == {setting}, loaded
    assert source.host_port in str(loaded[setting] if setting in loaded else loaded)

    # The copy: every document, the source's mapping without any type level, content verified by the role.
    cluster = dest.cluster
    hits = cluster.search(dest_index, {"size": 100})["hits"]
    assert hits["total"] == len(docs)
    assert {hit["_id"]: hit["_source"] for hit in hits["hits"]} == docs
    assert cluster.mappings(dest_index)[dest_index] == MAPPINGS
    assert re.search(r"total=%d created=%d .*source %d = destination %d" % ((len(docs),) * 4), first.output), (
        first.output[-3000:])

    pid_after = dest.pid
    second = run_role(tmp_path, source, dest, index, dest_index)
    assert second.rc == 0, second.output[-5000:]
    counters = recap(second.output)
    assert counters and all(host["changed"] == 0 and host["failed"] == 0 for host in counters.values()), counters
    assert dest.pid == pid_after and dest.config_file.read_text() == config_after
    assert "created=0" in second.output
    return first.output


@pytest.mark.slow
def test_opensearch_2_into_elasticsearch_7_is_refused_before_any_change(nodes, tmp_path):
    source, dest = nodes[OS2], nodes[ES7]
    config_before, pid_before = dest.config_file.read_text(), dest.pid
    run = run_role(tmp_path, source, dest, "items_os2", "refused_copy")
    assert run.rc != 0
    assert "Elasticsearch 7.17.29 cannot reindex from OpenSearch 2.19.6" in run.output, run.output[-3000:]
    assert "Required [_type]" in run.output and "Nothing was changed" in run.output
    assert dest.config_file.read_text() == config_before and dest.pid == pid_before
    assert not dest.cluster.exists(path("refused_copy"))
    assert "Whitelist the source" not in run.output  # stopped at the preflight


@pytest.mark.slow
def test_elasticsearch_6_with_security_into_elasticsearch_7(nodes, tmp_path):
    output = migrates_and_reruns(tmp_path, nodes[ES6], nodes[ES7], "items6", "items6", documents("es6"),
                                 "reindex.remote.whitelist")
    assert nodes[ES6].connection["password"] not in output


@pytest.mark.slow
def test_elasticsearch_7_into_opensearch_2_moves_the_whitelist_to_the_allowlist(nodes, tmp_path):
    dest = nodes[OS2]
    migrates_and_reruns(tmp_path, nodes[ES7], dest, "items7", "items7", documents("es7"), "reindex.remote.allowlist",
                        moved=['reindex.remote.whitelist: "%s"' % OLD_ENTRY])
    # The entry that was there before is kept, now under the allowlist.
    assert OLD_ENTRY in str(dest.loaded_remote_settings())


@pytest.mark.slow
def test_elasticsearch_7_into_opensearch_3(nodes, tmp_path):
    migrates_and_reruns(tmp_path, nodes[ES7], nodes[OS3], "items7", "items7", documents("es7"),
                        "reindex.remote.allowlist")


@pytest.mark.slow
def test_opensearch_2_into_opensearch_3(nodes, tmp_path):
    migrates_and_reruns(tmp_path, nodes[OS2], nodes[OS3], "items_os2", "items_os2", documents("os2"),
                        "reindex.remote.allowlist")
