"""The source cluster's connection suboptions are written in each fragment that has them (ansible-test reads doc
fragments as string literals only): every copy must be the same, and match the argument spec."""

from __future__ import annotations

import yaml

from ansible_collections.esops.migration.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.esops.migration.plugins.module_utils._connection import source_connection_spec

FRAGMENTS = ("SOURCE", "COPY_FROM", "REINDEX_SOURCE", "INFO_SOURCE", "PREFLIGHT_SOURCE")


def source_suboptions(name):
    options = yaml.safe_load(getattr(ModuleDocFragment, name))["options"]
    (option,) = options.values()
    return option["suboptions"]


def test_every_fragment_documents_the_source_connection_the_same_way():
    spec = source_connection_spec()
    copies = {name: {key: source_suboptions(name)[key] for key in spec} for name in FRAGMENTS}
    first = copies[FRAGMENTS[0]]
    assert all(copy == first for copy in copies.values()), [name for name, copy in copies.items() if copy != first]
