"""Every server the launcher starts, on real nodes: GET / names the product and version, a document is
indexed and read back, and a real reindex from remote copies an index between two of them after the
destination's allowlist (whitelist) line is added and the destination restarted.

Plain HTTP through urllib: this tests the launcher and the servers, not the collection's client layer.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

import pytest

from esops_testbed import eslocal
from esops_testbed.cluster_support import PORT_BASE, PREFIX

ES7, ES6, ES5, OS2, OS3 = eslocal.SERVERS
# One single-node cluster per server; HTTP ports clear of the other test files' (PORT_BASE + 0..32, + 90).
PORTS = {ES7: PORT_BASE + 40, ES6: PORT_BASE + 50, ES5: PORT_BASE + 60, OS2: PORT_BASE + 70, OS3: PORT_BASE + 80}
HEAP = {ES5: "256m"}
DOCS = {
    "1": {"title": "first", "rate": 3.5, "tags": ["a", "b"]},
    "2": {"title": "second", "rate": 4.0, "tags": ["c"]},
    "3": {"title": "third", "rate": 1.25, "tags": []},
}
# (source, dest): the upgrades and moves people make with reindex from remote.
PAIRS = [(ES6, ES7), (ES5, ES7), (ES7, OS2), (ES7, OS3)]


def cluster_name(server):
    return "%s-%s" % (PREFIX, server.replace(".", ""))


class Node:
    """A started cluster seen over plain HTTP."""

    def __init__(self, name):
        self.info = eslocal.info(name)
        self.server = eslocal.Server.parse(self.info["server"])

    @property
    def host(self):
        return self.info["url"]

    def call(self, method, path, body=None, auth=True):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.host + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if auth and self.info["username"]:
            token = base64.b64encode(("%s:%s" % (self.info["username"], self.info["password"])).encode()).decode()
            request.add_header("Authorization", "Basic " + token)
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read().decode() or "null")

    def doc_path(self, index, doc_id):
        # 5.x has no typeless endpoints; 6.x accepts _doc as the type name.
        doc_type = "doc" if self.server.major < 6 and not self.server.opensearch else "_doc"
        return "/%s/%s/%s" % (index, doc_type, doc_id)

    def load(self, index):
        for doc_id, doc in DOCS.items():
            self.call("PUT", self.doc_path(index, doc_id), doc)
        self.call("POST", "/%s/_refresh" % index)


@pytest.fixture(scope="module")
def nodes():
    """A fresh single-node cluster per server, all started at once; destroyed at the end."""
    metas = []
    for server in eslocal.SERVERS:
        eslocal.destroy(cluster_name(server))
        metas.append(eslocal.create_cluster(
            cluster_name(server), http_port=PORTS[server], heap=HEAP.get(server, "384m"), server=server
        ))
    try:
        # Five servers starting at once on a small machine: more time than one cluster gets.
        eslocal.start_clusters(metas, timeout=2 * eslocal.START_TIMEOUT)
        yield {server: Node(cluster_name(server)) for server in eslocal.SERVERS}
    finally:
        for server in eslocal.SERVERS:
            eslocal.destroy(cluster_name(server))


@pytest.mark.slow
@pytest.mark.parametrize("server", eslocal.SERVERS)
def test_root_names_product_and_version(nodes, server):
    node = nodes[server]
    root = node.call("GET", "/")
    assert root["version"]["number"] == node.server.version
    assert root["version"].get("distribution", "elasticsearch") == node.server.product
    assert (node.info["product"], node.info["version"]) == (node.server.product, node.server.version)


@pytest.mark.slow
@pytest.mark.parametrize("server", eslocal.SERVERS)
def test_security_is_what_cluster_json_says(nodes, server):
    node = nodes[server]
    if node.server.has_security:
        assert node.info["security"] is True and node.info["username"] and node.info["password"]
        with pytest.raises(urllib.error.HTTPError) as refused:
            node.call("GET", "/", auth=False)
        assert refused.value.code == 401
    else:
        assert (node.info["security"], node.info["username"], node.info["password"]) == (False, None, None)
        assert node.call("GET", "/", auth=False)["version"]["number"] == node.server.version


@pytest.mark.slow
@pytest.mark.parametrize("server", eslocal.SERVERS)
def test_a_document_is_indexed_and_read_back(nodes, server):
    node = nodes[server]
    node.call("PUT", node.doc_path("launcher-doc", "42") + "?refresh=true", {"title": "hello", "rate": 2.5})
    got = node.call("GET", node.doc_path("launcher-doc", "42"))
    assert got["found"] is True and got["_source"] == {"title": "hello", "rate": 2.5}


@pytest.mark.slow
@pytest.mark.parametrize("server", eslocal.SERVERS)
def test_the_node_temp_dir_lives_in_the_cluster_directory(nodes, server):
    node = nodes[server]
    stats = node.call("GET", "/_nodes/jvm")
    (jvm,) = [entry["jvm"] for entry in stats["nodes"].values()]
    tmpdirs = [arg.split("=", 1)[1] for arg in jvm["input_arguments"] if arg.startswith("-Djava.io.tmpdir=")]
    cluster_dir = str(eslocal.cluster_dir(cluster_name(server)))
    assert tmpdirs and tmpdirs[-1].startswith(cluster_dir + "/"), tmpdirs
    config_file = eslocal.cluster_nodes(eslocal.load_cluster(cluster_name(server)))[0].config_file
    assert "reindex.remote" not in config_file.read_text()


@pytest.mark.slow
@pytest.mark.parametrize("server", [name for name in eslocal.SERVERS
                                    if not eslocal.Server.parse(name).script_starts_node])
def test_a_node_started_without_its_script_has_the_options_the_script_would_give(nodes, server):
    """7.x and OpenSearch nodes start with the java command line their bin/ script would exec
    (eslocal.java_launch): the distribution's own options parser ran (its system properties and its heap
    ergonomics are there), and the script's system properties name the node's directories."""
    node = nodes[server]
    (jvm,) = [entry["jvm"] for entry in node.call("GET", "/_nodes/jvm")["nodes"].values()]
    arguments = jvm["input_arguments"]
    prop = "opensearch" if node.server.opensearch else "es"
    config_dir = eslocal.cluster_nodes(eslocal.load_cluster(cluster_name(server)))[0].config_dir
    assert "-D%s.networkaddress.cache.ttl=60" % prop in arguments, arguments
    assert [arg for arg in arguments if arg.startswith("-XX:MaxDirectMemorySize=")], arguments
    assert "-Xmx%s" % HEAP.get(server, "384m") in arguments, arguments
    assert "-D%s.path.conf=%s" % (prop, config_dir) in arguments, arguments
    assert "-D%s.path.home=%s" % (prop, eslocal.load_cluster(cluster_name(server))["es_home"]) in arguments
    assert "-D%s.distribution.type=zip" % prop in arguments, arguments


def allow_remotes(dest, sources):
    """Test-side edit of dest's config: the allowlist (OpenSearch 2+) or whitelist line naming the sources."""
    allowlist = dest.server.opensearch and dest.server.major >= 2
    setting = "reindex.remote.allowlist" if allowlist else "reindex.remote.whitelist"
    config = eslocal.cluster_nodes(eslocal.load_cluster(cluster_name(dest.server.name)))[0].config_file
    lines = [line for line in config.read_text().splitlines() if not line.startswith("reindex.remote.")]
    lines.append('%s: "%s"' % (setting, ", ".join(source.host.split("://", 1)[1] for source in sources)))
    config.write_text("\n".join(lines) + "\n")
    eslocal.restart(cluster_name(dest.server.name))


@pytest.fixture(scope="module")
def allowed(nodes):
    """Each destination of PAIRS lets its sources in (one restart per destination)."""
    for dest in sorted({pair[1] for pair in PAIRS}):
        allow_remotes(nodes[dest], [nodes[source] for source, other in PAIRS if other == dest])
    return nodes


@pytest.mark.slow
@pytest.mark.parametrize("pair", PAIRS, ids=["%s->%s" % pair for pair in PAIRS])
def test_reindex_from_remote(allowed, pair):
    source, dest = allowed[pair[0]], allowed[pair[1]]
    index = "launcher-src-%s" % source.server.version.replace(".", "")
    copy = "launcher-copy-%s" % source.server.version.replace(".", "")
    source.load(index)
    remote = {"host": source.host}
    if source.info["username"]:
        remote.update(username=source.info["username"], password=source.info["password"])
    result = dest.call("POST", "/_reindex?refresh=true", {"source": {"remote": remote, "index": index},
                                                          "dest": {"index": copy}})
    assert result["failures"] == [] and result["created"] == len(DOCS), result
    for doc_id, doc in DOCS.items():
        assert dest.call("GET", "/%s/_doc/%s" % (copy, doc_id))["_source"] == doc
    assert dest.call("GET", "/%s/_count" % copy)["count"] == len(DOCS)


@pytest.mark.slow
# Test ids without the port: pytest-xdist workers (whose ports differ) must collect the same ids.
@pytest.mark.parametrize("server, port", [(ES6, PORT_BASE + 84), (OS2, PORT_BASE + 86)], ids=[ES6, OS2])
def test_two_nodes_form_one_cluster(server, port):
    """Multi-node discovery as each line spells it: zen unicast hosts on 6.x, seed hosts and initial
    cluster managers on OpenSearch 2+."""
    name = "%s-two" % cluster_name(server)
    eslocal.destroy(name)
    try:
        eslocal.start(name, nodes=2, http_port=port, heap="256m", server=server)
        names = sorted(entry["name"] for entry in Node(name).call("GET", "/_nodes")["nodes"].values())
        assert names == ["%s-0" % name, "%s-1" % name]
    finally:
        eslocal.destroy(name)
    assert not eslocal.cluster_dir(name).exists()
