"""The allowlist name (OpenSearch 2+): plan_remote with setting=reindex.remote.allowlist, moving a whitelist line
to the allowlist (and back) in every form of the test_whitelist corpus, a file holding both names refused, and the
loaded-settings check reading either name.

Expectations come from what the node would read (yaml.safe_load of the new text) and from the original lines.
"""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.esops.migration.plugins.module_utils._whitelist import (
    ALLOWLIST,
    WHITELIST,
    WhitelistError,
    nodes_missing_entry,
    plan,
    plan_remote,
)
from ansible_collections.esops.migration.tests.unit.plugins.module_utils.test_whitelist import (
    CASES,
    NEW,
    WITH_ENTRIES,
    _as_entries,
    _lookup,
)

# Each corpus file written with the allowlist name instead (the same shapes: flat, list, nested, >-).
ALLOW_CASES = [(case, case.text.replace("whitelist", "allowlist")) for case in CASES]


def read(text, setting):
    found, value = _lookup(yaml.safe_load(text) or {}, setting)
    return found, _as_entries(value) if found else []


def changed_lines(old, new):
    return [index for index, (a, b) in enumerate(zip(old.splitlines(True), new.splitlines(True))) if a != b]


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_allowlist_managed_like_the_whitelist_in_every_form(case):
    text = case.text.replace("whitelist", "allowlist")
    result = plan_remote(text, [NEW], setting=ALLOWLIST)
    assert result.moved_from is None
    assert (result.before, result.after, result.added) == (case.entries, case.entries + [NEW], [NEW])
    assert read(result.text, ALLOWLIST) == (True, case.entries + [NEW])
    assert read(result.text, WHITELIST)[0] is False
    again = plan_remote(result.text, [NEW], setting=ALLOWLIST)
    assert again.text == result.text and again.added == [] and again.moved_from is None


@pytest.mark.parametrize("case", WITH_ENTRIES, ids=repr)
def test_a_whitelist_line_moves_to_the_allowlist_keeping_its_entries(case):
    result = plan_remote(case.text, [NEW], setting=ALLOWLIST)
    assert result.moved_from == WHITELIST
    assert result.before == case.entries and result.after == case.entries + [NEW] and result.added == [NEW]
    assert read(result.text, WHITELIST)[0] is False
    assert read(result.text, ALLOWLIST) == (True, case.entries + [NEW])
    # Only the setting's own lines changed; everything before and after it is byte for byte the same.
    new_lines = result.text.splitlines(True)
    assert new_lines[:len(case.prefix)] == case.prefix
    if case.suffix:
        assert new_lines[len(new_lines) - len(case.suffix):] == case.suffix
    # The rerun changes nothing and moves nothing.
    again = plan_remote(result.text, [NEW], setting=ALLOWLIST)
    assert (again.text, again.added, again.removed, again.moved_from) == (result.text, [], [], None)


@pytest.mark.parametrize("case", WITH_ENTRIES, ids=repr)
def test_a_move_without_new_entries_renames_only_the_key(case):
    result = plan_remote(case.text, [case.entries[0]], setting=ALLOWLIST)
    assert result.moved_from == WHITELIST and result.added == [] and result.removed == []
    assert result.text == case.text.replace("whitelist", "allowlist", 1)
    assert changed_lines(case.text, result.text) == [index for index, line in enumerate(case.text.splitlines(True))
                                                     if "whitelist" in line]


@pytest.mark.parametrize("case", WITH_ENTRIES, ids=repr)
def test_an_allowlist_line_moves_back_to_the_whitelist(case):
    text = case.text.replace("whitelist", "allowlist")
    result = plan_remote(text, [NEW], setting=WHITELIST)
    assert result.moved_from == ALLOWLIST
    assert read(result.text, WHITELIST) == (True, case.entries + [NEW])
    assert read(result.text, ALLOWLIST)[0] is False
    assert plan(text, [NEW])[0] == result.text  # plan() manages the whitelist, as before


def test_a_quoted_flat_key_is_renamed_inside_its_quotes():
    text = 'cluster.name: prod\n"reindex.remote.whitelist": "a.example.com:9200"\n'
    result = plan_remote(text, ["a.example.com:9200"], setting=ALLOWLIST)
    assert result.text == 'cluster.name: prod\n"reindex.remote.allowlist": "a.example.com:9200"\n'


def test_removing_the_last_entry_of_a_moved_line_removes_it():
    text = 'cluster.name: prod\nreindex.remote.whitelist: "a.example.com:9200"\nnode.name: n1\n'
    result = plan_remote(text, ["a.example.com:9200"], state="absent", setting=ALLOWLIST)
    assert result.text == "cluster.name: prod\nnode.name: n1\n"
    assert (result.removed, result.moved_from) == (["a.example.com:9200"], WHITELIST)


@pytest.mark.parametrize("text", [
    'reindex.remote.whitelist: "a:9200"\nreindex.remote.allowlist: "b:9200"\n',
    'reindex:\n  remote:\n    whitelist: "a:9200"\n    allowlist: "b:9200"\n',
    'reindex.remote.allowlist: ["b:9200"]\nreindex:\n  remote.whitelist: a:9200\n',
], ids=["flat", "nested", "mixed"])
@pytest.mark.parametrize("setting", [WHITELIST, ALLOWLIST])
def test_a_file_holding_both_names_is_refused_naming_the_lines(text, setting):
    with pytest.raises(WhitelistError) as raised:
        plan_remote(text, [NEW], setting=setting)
    message = str(raised.value)
    assert "both" in message and WHITELIST in message and ALLOWLIST in message and "line" in message


def test_an_unknown_setting_name_is_refused():
    with pytest.raises(WhitelistError, match="reindex.remote.whitelist or reindex.remote.allowlist"):
        plan_remote("", [NEW], setting="reindex.remote.hosts")


def nodes(**settings_by_node):
    return {"nodes": {node_id: {"name": node_id, "settings": settings}
                      for node_id, settings in settings_by_node.items()}}


def test_loaded_settings_are_read_under_either_name():
    answer = nodes(
        os_allow={"reindex.remote.allowlist": "127.0.0.1:9200"},
        os_allow_list={"reindex.remote.allowlist.0": "10.0.0.9:9200", "reindex.remote.allowlist.1": "127.0.0.1:*"},
        es_white={"reindex.remote.whitelist": "127.0.0.1:9200"},
        nothing={},
        other_host={"reindex.remote.allowlist": "10.0.0.9:9200"},
    )
    assert nodes_missing_entry(answer, "127.0.0.1:9200") == ["nothing", "other_host"]


def test_the_allowlist_wins_over_the_whitelist_as_on_opensearch():
    answer = nodes(both={"reindex.remote.allowlist": "10.0.0.9:9200", "reindex.remote.whitelist": "127.0.0.1:9200"})
    assert nodes_missing_entry(answer, "127.0.0.1:9200") == ["both"]
