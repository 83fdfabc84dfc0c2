"""Session fixtures: real Elasticsearch clusters on loopback, started with tools/eslocal.py.

Nothing here skips: if a cluster cannot start, every integration test errors with the launcher's
message (which names the node's log file).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tools"))

import eslocal  # noqa: E402

# Names and ports distinct from the demo's (source/dest on 19200/19210) so both can run at once.
SOURCE = "it-source"
DEST = "it-dest"
PORTS = {SOURCE: 29200, DEST: 29210}


class Cluster:
    """What a test needs to know about one local cluster."""

    def __init__(self, name):
        data = eslocal.info(name)
        self.name = name
        self.url = data["url"]
        self.username = data["username"]
        self.password = data["password"]
        self.config_file = Path(data["nodes"][0]["config_file"])
        self.client = Elasticsearch(self.url, basic_auth=(self.username, self.password), request_timeout=60)

    @property
    def host_port(self):
        return self.url.split("://", 1)[1]

    def connection(self):
        """Module connection options for this cluster."""
        return dict(hosts=[self.url], username=self.username, password=self.password)

    def restart(self):
        eslocal.restart(self.name)
        self.client.cluster.health(wait_for_status="yellow", timeout="60s")


def _start_fresh(names):
    for name in names:
        eslocal.destroy(name)
    metas = [eslocal.create_cluster(name, http_port=PORTS[name]) for name in names]
    for meta in metas:
        for node in eslocal.cluster_nodes(meta):
            eslocal.start_node(meta, node)
    deadline = time.time() + eslocal.START_TIMEOUT
    for meta in metas:
        for node in eslocal.cluster_nodes(meta):
            eslocal.wait_for_node(meta, node, deadline)


@pytest.fixture(scope="session")
def clusters():
    """Fresh `it-source` and `it-dest` single-node clusters (security on), stopped at the end."""
    _start_fresh([SOURCE, DEST])
    yield {"source": Cluster(SOURCE), "dest": Cluster(DEST)}
    for name in (SOURCE, DEST):
        eslocal.stop(name)


@pytest.fixture(scope="session")
def source(clusters):
    return clusters["source"]


@pytest.fixture(scope="session")
def dest(clusters):
    return clusters["dest"]


def set_whitelist_line(config_file, entry):
    """Test-side helper independent of the module under test: set or drop the flat whitelist line."""
    lines = [line for line in config_file.read_text().splitlines() if not line.startswith("reindex.remote.whitelist")]
    if entry:
        lines.append('reindex.remote.whitelist: "%s"' % entry)
    config_file.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="session")
def whitelisted(source, dest):
    """dest allows reindex from source (restarting dest when the line had to be added)."""
    text = dest.config_file.read_text()
    if 'reindex.remote.whitelist: "%s"' % source.host_port not in text:
        set_whitelist_line(dest.config_file, source.host_port)
        dest.restart()
    return source, dest
