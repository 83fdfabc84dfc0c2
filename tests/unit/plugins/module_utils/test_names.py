"""index_name_problems: one concrete index name, as Elasticsearch's rules want it."""

from __future__ import annotations

import pytest

from ansible_collections.esops.migration.plugins.module_utils._names import index_name_problems


@pytest.mark.parametrize("name", ["product_info", "logs-2024.01", ".hidden-ok", "a" * 255, "été"])
def test_concrete_names_pass(name):
    assert index_name_problems(name) == []


@pytest.mark.parametrize(
    "name, words",
    [
        ("victim_*", "expands"),
        ("bad*star", "expands"),
        ("a?c", "expands"),
        ("a,b", "expands"),
        ("<logs-{now/d}>", "expands"),
        ("_all", "starts with '_'"),
        ("-victim", "starts with '-'"),
        ("+victim", "starts with '+'"),
        ("_victim", "starts with '_'"),
        ("Bad_Upper", "lower case"),
        ("a b", "cannot contain"),
        ("a#b", "cannot contain"),
        ("a|b", "cannot contain"),
        ('a"b', "cannot contain"),
        ("a\\b", "cannot contain"),
        ("a/b", "cannot contain"),
        ("remote:index", "cannot contain"),
        (".", "cannot be"),
        ("..", "cannot be"),
        ("a" * 256, "at most 255 bytes"),
        ("é" * 128, "at most 255 bytes"),
        ("", "empty"),
    ],
)
def test_names_the_server_would_expand_or_refuse_are_named_with_the_option(name, words):
    problems = index_name_problems(name, "dest_index")
    assert problems and any(words in problem for problem in problems), problems
    assert all(problem.startswith("dest_index") for problem in problems)


def test_every_problem_is_reported_at_once():
    assert len(index_name_problems("_Bad*")) == 3  # wildcard, leading _, upper case
