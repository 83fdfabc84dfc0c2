"""es_reindex's batch size when the source's statistics cannot be read: the server's default, with a warning only
when size auto was asked for (without the size option the module chooses as with auto, silently). The 403 follows
the security_exception shape real 7.17 nodes answer (tests/integration/test_source_privileges.py)."""

from __future__ import annotations

import pytest

from ansible_collections.esops.migration.plugins.module_utils import _cluster
from ansible_collections.esops.migration.plugins.modules import es_reindex


class Warnings:
    """The part of the module batch_sizes uses: its params and warn()."""

    def __init__(self, size):
        self.params = dict(size=size)
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


@pytest.mark.parametrize("size, warned", [(None, False), ("auto", True)])
def test_unreadable_stats_fall_back_to_the_servers_default_warning_only_when_auto_was_asked(scripted, size, warned):
    forbidden = _cluster.ClusterError("security_exception", status=403,
                                      body={"error": {"type": "security_exception", "reason": "unauthorized"}})
    module = Warnings(size)
    source = scripted.cluster([(("GET", "/products/_stats/docs,store"), forbidden)], version=(8, 15, 1))
    assert es_reindex.batch_sizes(module, source, ["products"]) == {"products": (None, None)}
    assert bool(module.warnings) is warned
    assert es_reindex.batch_sizes(Warnings("500"), None, ["products"]) == {"products": (500, None)}
