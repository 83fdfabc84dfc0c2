"""What integration tests need to know about the local clusters (fixtures: tests/integration/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

from elasticsearch import Elasticsearch

from esops_testbed import eslocal

# Names and ports distinct from the demo's (source/dest on 19200/19210) so both can run at once.
# ESOPS_IT_NAME / ESOPS_IT_PORT lets several test sessions run side by side on one machine.
# Each pytest-xdist worker (gw0, gw1, ...) gets its own clusters: names suffixed with its number, and
# ports WORKER_PORT_STRIDE apart (every test file keeps its offsets below that).
WORKER_PORT_STRIDE = 1000


def _worker_number():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else None


_WORKER = _worker_number()
PREFIX = os.environ.get("ESOPS_IT_NAME", "it") + ("" if _WORKER is None else str(_WORKER))
PORT_BASE = int(os.environ.get("ESOPS_IT_PORT", "29200")) + WORKER_PORT_STRIDE * (_WORKER or 0)
SOURCE = PREFIX + "-source"
DEST = PREFIX + "-dest"
PORTS = {SOURCE: PORT_BASE, DEST: PORT_BASE + 10}
HEAP = os.environ.get("ESOPS_IT_HEAP", "384m")


class Cluster:
    """One local cluster: URL, credentials, config file, a raw client, and restart."""

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


def start_fresh(names, ports=None, heap=HEAP, nodes=1):
    """Destroy and recreate the named clusters (HTTP ports from `ports`), starting every node in parallel."""
    ports = ports or PORTS
    for name in names:
        eslocal.destroy(name)
    eslocal.start_clusters(
        [eslocal.create_cluster(name, nodes=nodes, http_port=ports[name], heap=heap) for name in names]
    )


def set_whitelist_line(config_file, entry):
    """Test-side helper independent of the module under test: set or drop the flat whitelist line."""
    lines = [line for line in config_file.read_text().splitlines() if not line.startswith("reindex.remote.whitelist")]
    if entry:
        lines.append('reindex.remote.whitelist: "%s"' % entry)
    config_file.write_text("\n".join(lines) + "\n")
