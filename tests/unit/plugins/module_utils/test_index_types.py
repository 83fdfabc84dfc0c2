"""Unit tests for es_index's choice of mapping on a source index with several mapping types (_index.py)."""

from __future__ import annotations

from ansible_collections.esops.migration.plugins.module_utils._index import type_choice_problem


def test_several_types_need_a_choice():
    problem = type_choice_problem("multi", "Elasticsearch 5.6.16", ["tweet", "user"], None, False)
    assert "tweet, user" in problem and "copy_from.mapping_type" in problem and "copy_from.merge_types" in problem


def test_a_chosen_type_or_merged_types_are_accepted():
    assert type_choice_problem("multi", "Elasticsearch 5.6.16", ["tweet", "user"], "user", False) is None
    assert type_choice_problem("multi", "Elasticsearch 5.6.16", ["tweet", "user"], None, True) is None
    assert type_choice_problem("one", "Elasticsearch 6.8.23", ["_doc"], None, False) is None


def test_a_type_the_index_does_not_have_is_refused():
    problem = type_choice_problem("multi", "Elasticsearch 5.6.16", ["tweet"], "usr", False)
    assert "not a mapping type of multi" in problem
    assert "7.x or later" in type_choice_problem("new", "OpenSearch 3.8.0", [], "usr", False)
