"""Make the repository importable as ansible_collections.esops.migration for the tests."""

from __future__ import annotations

from esops_testbed import support

support.ensure_collection_tree()
