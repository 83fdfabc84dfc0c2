"""The role's filters run on the controller, in each task that templates them: they must not import the clients.

Importing elasticsearch-py and opensearch-py costs about 0.3 s of CPU in every such task (measured on ansible-core
2.19's worker processes), and the filters need neither: they are pure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import ansible_collections.esops.migration.plugins.filter as filter_package

CLIENT_PACKAGES = ("elasticsearch", "elastic_transport", "opensearchpy")
FILTER_DIR = Path(list(filter_package.__path__)[0])
# .../ansible_collections/esops/migration/plugins/filter -> the directory that holds ansible_collections
COLLECTIONS_ROOT = FILTER_DIR.parents[4]
PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[2:]))))
"""


@pytest.mark.parametrize("plugin", sorted(path.stem for path in FILTER_DIR.glob("*.py") if path.stem != "__init__"))
def test_a_filter_plugin_imports_no_cluster_client(plugin):
    module = "ansible_collections.esops.migration.plugins.filter." + plugin
    # The collections ahead of what this run already has on its path (ansible-test units puts ansible-core there).
    given = os.environ.get("PYTHONPATH", "")
    search_path = [str(COLLECTIONS_ROOT)] + [entry for entry in given.split(os.pathsep) if entry]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(search_path))
    probe = subprocess.run([sys.executable, "-c", PROBE, module, *CLIENT_PACKAGES], env=env, capture_output=True,
                           text=True, check=False)
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout) == []
