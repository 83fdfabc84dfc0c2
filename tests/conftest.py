"""Make the repository importable as ansible_collections.esops.migration for the tests."""

from __future__ import annotations

import support

support.ensure_collection_tree()
