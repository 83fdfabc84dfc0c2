"""Session fixtures: real Elasticsearch clusters on loopback, started with the launcher (esops_testbed/eslocal.py).

Nothing here skips: if a cluster cannot start, every integration test errors with the launcher's
message (which names the node's log file).
"""

from __future__ import annotations

import pytest

from esops_testbed import eslocal
from esops_testbed.cluster_support import DEST, SOURCE, Cluster, set_whitelist_line, start_fresh


@pytest.fixture(scope="session")
def clusters():
    """Fresh source and dest single-node clusters (security on), stopped at the end of the session."""
    start_fresh([SOURCE, DEST])
    yield {"source": Cluster(SOURCE), "dest": Cluster(DEST)}
    for name in (SOURCE, DEST):
        eslocal.stop(name)


@pytest.fixture(scope="session")
def source(clusters):
    return clusters["source"]


@pytest.fixture(scope="session")
def dest(clusters):
    return clusters["dest"]


@pytest.fixture()
def whitelisted(source, dest):
    """dest allows reindex from source (restarting dest when the line had to be added)."""
    text = dest.config_file.read_text()
    if 'reindex.remote.whitelist: "%s"' % source.host_port not in text:
        set_whitelist_line(dest.config_file, source.host_port)
        dest.restart()
    return source, dest
