"""Unit tests for plugins/module_utils/_whitelist.py (editing reindex.remote.whitelist in elasticsearch.yml).

Every expectation is stated from what Elasticsearch would read (yaml.safe_load of the new text) and from the
lines of the original file, not from the module's own output.
"""

from __future__ import annotations

import re

import pytest
import yaml

from ansible_collections.esops.migration.plugins.module_utils._whitelist import (
    SETTING,
    WhitelistError,
    current_entries,
    current_setting,
    entry_problem,
    mask_setting,
    plan,
    plan_setting,
)

NEW = "192.168.50.7:9200"


class Case:
    """An elasticsearch.yml shape.

    span: (first, end) line indexes (end exclusive) of the lines that hold the setting; every other line must
    survive an edit byte for byte. flat: the setting is written as the dotted key at the top level.
    """

    def __init__(self, name, text, span, entries, flat=True):
        self.name = name
        self.text = text
        self.span = span
        self.entries = entries
        self.flat = flat

    @property
    def lines(self):
        return self.text.splitlines(True)

    @property
    def prefix(self):
        return self.lines[: self.span[0]]

    @property
    def suffix(self):
        return self.lines[self.span[1]:]

    def __repr__(self):
        return self.name


CASES = [
    Case("empty", "", (0, 0), []),
    Case("only_comments", "# ======== Elasticsearch ========\n#\n# cluster.name: my-app\n", (3, 3), []),
    Case(
        "flat_quoted_csv",
        'cluster.name: prod\nreindex.remote.whitelist: "10.0.0.1:9200, es-old.example.com:9200"\nnode.name: n1\n',
        (1, 2),
        ["10.0.0.1:9200", "es-old.example.com:9200"],
    ),
    Case(
        "flat_plain",
        "cluster.name: prod\nreindex.remote.whitelist: 10.0.0.1:9200\nnode.name: n1\n",
        (1, 2),
        ["10.0.0.1:9200"],
    ),
    Case(
        "block_list_indented",
        'cluster.name: prod\nreindex.remote.whitelist:\n  - 10.0.0.1:9200\n  - "es-old.example.com:9200"\nnode.name: n1\n',
        (1, 4),
        ["10.0.0.1:9200", "es-old.example.com:9200"],
    ),
    Case(
        "block_list_at_key_indent",
        "cluster.name: prod\nreindex.remote.whitelist:\n- 10.0.0.1:9200\n- es-old.example.com:9200\nnode.name: n1\n",
        (1, 4),
        ["10.0.0.1:9200", "es-old.example.com:9200"],
    ),
    Case(
        "flow_list",
        'cluster.name: prod\nreindex.remote.whitelist: [10.0.0.1:9200, "es-old.example.com:9200"]\nnode.name: n1\n',
        (1, 2),
        ["10.0.0.1:9200", "es-old.example.com:9200"],
    ),
    Case(
        "nested_mapping",
        "cluster.name: prod\n"
        "reindex:\n"
        "  remote:\n"
        '    whitelist: "10.0.0.1:9200"\n'
        "    ssl:\n"
        "      verification_mode: full\n"
        '      certificate_authorities: ["/etc/elasticsearch/ca.crt"]\n'
        "node.name: n1\n",
        (3, 4),
        ["10.0.0.1:9200"],
        flat=False,
    ),
    Case(
        "nested_dotted_parent",
        "cluster.name: prod\nreindex.remote:\n  whitelist: 10.0.0.1:9200\n  ssl.verification_mode: none\nnode.name: n1\n",
        (2, 3),
        ["10.0.0.1:9200"],
        flat=False,
    ),
    Case(
        "guide_folded_scalar",
        "cluster.name: prod\nreindex.remote.whitelist: >-\n  10.0.0.1:9200,\n  es-old.example.com:9200\nnode.name: n1\n",
        (1, 4),
        ["10.0.0.1:9200", "es-old.example.com:9200"],
    ),
    Case(
        "crlf",
        'cluster.name: prod\r\nreindex.remote.whitelist: "10.0.0.1:9200"\r\nnode.name: n1\r\n',
        (1, 2),
        ["10.0.0.1:9200"],
    ),
    Case(
        "crlf_block_list",
        "cluster.name: prod\r\nreindex.remote.whitelist:\r\n  - 10.0.0.1:9200\r\nnode.name: n1\r\n",
        (1, 3),
        ["10.0.0.1:9200"],
    ),
    Case(
        "no_trailing_newline",
        "cluster.name: prod\nreindex.remote.whitelist: 10.0.0.1:9200",
        (1, 2),
        ["10.0.0.1:9200"],
    ),
    Case(
        "trailing_comment_on_key_line",
        'cluster.name: prod\nreindex.remote.whitelist: "10.0.0.1:9200"  # the old cluster\nnode.name: n1\n',
        (1, 2),
        ["10.0.0.1:9200"],
    ),
    Case(
        "comments_and_blanks_after_block_list",
        "cluster.name: prod\n"
        "reindex.remote.whitelist:\n"
        "  - 10.0.0.1:9200\n"
        "\n"
        "# ---------------------------------- Paths ----------------------------------\n"
        "\n"
        "path.data: /var/lib/elasticsearch\n",
        (1, 3),
        ["10.0.0.1:9200"],
    ),
    Case(
        "block_list_then_comment_at_eof",
        "reindex.remote.whitelist:\n- 10.0.0.1:9200\n# end of file\n\n",
        (0, 2),
        ["10.0.0.1:9200"],
    ),
]
WITH_ENTRIES = [case for case in CASES if case.entries]


# --- helpers independent of the module under test ---------------------------------------------------------


def _lookup(mapping, path):
    """The value at dotted `path` in a loaded elasticsearch.yml, however its keys split the dots."""
    if not path:
        return True, mapping
    if not isinstance(mapping, dict):
        return False, None
    parts = path.split(".")
    for cut in range(1, len(parts) + 1):
        key = ".".join(parts[:cut])
        if key in mapping:
            found, value = _lookup(mapping[key], ".".join(parts[cut:]))
            if found:
                return found, value
    return False, None


def _as_entries(value):
    """What Elasticsearch makes of a whitelist value: a list, or a comma-separated string."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def effective(text):
    """(is the setting present, its entries) as Elasticsearch would read the file."""
    found, value = _lookup(yaml.safe_load(text) or {}, SETTING)
    return found, _as_entries(value) if found else []


def _without_setting(loaded):
    """The loaded settings minus the whitelist (to check that siblings survive)."""
    loaded = dict(loaded or {})
    loaded.pop(SETTING, None)
    for parent, key in (("reindex", None), ("reindex.remote", "whitelist")):
        if parent in loaded and isinstance(loaded[parent], dict):
            inner = {k: (dict(v) if isinstance(v, dict) else v) for k, v in loaded[parent].items()}
            if key:
                inner.pop(key, None)
            elif isinstance(inner.get("remote"), dict):
                inner["remote"].pop("whitelist", None)
                inner.pop("remote.whitelist", None)
            loaded[parent] = inner
    return loaded


def assert_outside_lines_kept(case, new_text):
    new_lines = new_text.splitlines(True)
    assert new_lines[: len(case.prefix)] == case.prefix
    if case.suffix:
        assert new_lines[len(new_lines) - len(case.suffix):] == case.suffix
    assert len(new_lines) >= len(case.prefix) + len(case.suffix)


# --- the corpus --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_corpus_reads_current_entries(case):
    assert current_entries(case.text) == case.entries
    assert effective(case.text)[1] == case.entries  # the corpus itself says what it claims


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_add_entry_touches_only_the_setting(case):
    new_text, before, after, added, removed = plan(case.text, [NEW])
    assert before == case.entries
    assert after == case.entries + [NEW]
    assert added == [NEW]
    assert removed == []
    assert new_text != case.text
    assert_outside_lines_kept(case, new_text)
    present, entries = effective(new_text)
    assert present
    assert entries == case.entries + [NEW]
    assert current_entries(new_text) == case.entries + [NEW]
    # Every other setting (including the ssl siblings of a nested whitelist) is unchanged.
    assert _without_setting(yaml.safe_load(new_text)) == _without_setting(yaml.safe_load(case.text))


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_add_entry_is_idempotent(case):
    new_text = plan(case.text, [NEW])[0]
    again = plan(new_text, [NEW])
    assert again == (new_text, case.entries + [NEW], case.entries + [NEW], [], [])


@pytest.mark.parametrize("case", WITH_ENTRIES, ids=repr)
def test_existing_entry_gives_no_change(case):
    assert plan(case.text, [case.entries[0]]) == (case.text, case.entries, case.entries, [], [])


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_line_endings_of_the_file_are_used(case):
    new_text = plan(case.text, [NEW])[0]
    if "\r\n" in case.text:
        assert "\n" not in new_text.replace("\r\n", "")
    else:
        assert "\r" not in new_text
    if case.text and not case.text.endswith("\n"):
        assert not new_text.endswith("\n")  # the file had no final newline; none is added at its end


@pytest.mark.parametrize("case", WITH_ENTRIES, ids=repr)
def test_absent_removes_an_entry(case):
    target = case.entries[0]
    new_text, before, after, added, removed = plan(case.text, [target], state="absent")
    remaining = case.entries[1:]
    assert (before, after, added, removed) == (case.entries, remaining, [], [target])
    assert_outside_lines_kept(case, new_text)
    present, entries = effective(new_text)
    assert entries == remaining
    assert current_entries(new_text) == remaining
    if not remaining and case.flat:
        # An emptied flat setting is removed: exactly the other lines are left.
        assert not present
        assert new_text.splitlines(True) == case.prefix + case.suffix
        assert SETTING not in new_text
    else:
        assert present
    assert _without_setting(yaml.safe_load(new_text) or {}) == _without_setting(yaml.safe_load(case.text))
    # and again: nothing left to remove
    assert plan(new_text, [target], state="absent") == (new_text, remaining, remaining, [], [])


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_absent_of_missing_entry_changes_nothing(case):
    assert plan(case.text, [NEW], state="absent") == (case.text, case.entries, case.entries, [], [])


def _base_texts():
    """Files without the setting: the corpus files with the setting's lines cut out (flat ones)."""
    seen = {}
    for case in CASES:
        if case.flat:
            seen.setdefault("".join(case.prefix + case.suffix), case.name)
    return sorted(seen.items(), key=lambda item: item[1])


@pytest.mark.parametrize("base", [case[0] for case in _base_texts()], ids=[case[1] for case in _base_texts()])
def test_add_then_remove_restores_the_original_bytes(base):
    assert SETTING not in base
    added_text = plan(base, [NEW])[0]
    assert added_text.startswith(base)
    assert effective(added_text) == (True, [NEW])
    restored = plan(added_text, [NEW], state="absent")
    assert restored[0] == base
    assert restored[3:] == ([], [NEW])


def test_add_to_file_without_final_newline_appends_a_line():
    # The new setting needs a line of its own, so the last line gets its line break; nothing else changes.
    base = "cluster.name: prod\nnode.name: n1"
    new_text = plan(base, [NEW])[0]
    assert new_text.startswith(base + "\n")
    assert new_text.splitlines()[:2] == ["cluster.name: prod", "node.name: n1"]
    assert effective(new_text) == (True, [NEW])
    # Removing it again leaves the file as it was, with its last line now terminated.
    assert plan(new_text, [NEW], state="absent")[0] == base + "\n"


def test_added_line_uses_crlf_of_the_file():
    base = "cluster.name: prod\r\nnode.name: n1\r\n"
    new_text = plan(base, [NEW])[0]
    assert new_text.startswith(base)
    assert new_text[len(base):].endswith("\r\n")
    assert new_text[len(base):].count("\n") == 1


@pytest.mark.parametrize("case", WITH_ENTRIES + [CASES[0]], ids=repr)
def test_exclusive_sets_exactly_the_given_entries(case):
    wanted = ["172.16.0.9:9200", NEW]
    new_text, before, after, added, removed = plan(case.text, wanted, exclusive=True)
    assert before == case.entries
    assert after == wanted
    assert added == wanted
    assert removed == case.entries
    assert_outside_lines_kept(case, new_text)
    assert effective(new_text) == (True, wanted)
    assert plan(new_text, wanted, exclusive=True)[3:] == ([], [])


def test_exclusive_with_the_same_entries_changes_nothing():
    text = 'reindex.remote.whitelist: "a.example.com:9200, b.example.com:9200"\n'
    result = plan(text, ["a.example.com:9200", "b.example.com:9200"], exclusive=True)
    assert result[0] == text
    assert result[3:] == ([], [])


def test_exclusive_drops_entries_not_given():
    text = 'reindex.remote.whitelist: "a.example.com:9200, b.example.com:9200"\n'
    new_text, _before, after, added, removed = plan(text, ["b.example.com:9200"], exclusive=True)
    assert after == ["b.example.com:9200"]
    assert added == []
    assert removed == ["a.example.com:9200"]
    assert effective(new_text) == (True, ["b.example.com:9200"])


def test_duplicates_collapse_and_existing_order_is_kept():
    text = 'reindex.remote.whitelist: "b.example.com:9200, a.example.com:9200"\n'
    wanted = ["c.example.com:9200", " c.example.com:9200 ", "a.example.com:9200", "c.example.com:9200"]
    new_text, before, after, added, removed = plan(text, wanted)
    assert before == ["b.example.com:9200", "a.example.com:9200"]
    assert after == ["b.example.com:9200", "a.example.com:9200", "c.example.com:9200"]
    assert added == ["c.example.com:9200"]
    assert removed == []
    assert effective(new_text)[1] == after


def test_duplicates_collapse_in_a_new_setting():
    new_text, _before, after, added, _removed = plan("", [NEW, NEW, " %s " % NEW])
    assert after == added == [NEW]
    assert effective(new_text) == (True, [NEW])


def test_block_list_stays_a_block_list_at_its_indent():
    case = next(c for c in CASES if c.name == "block_list_at_key_indent")
    new_lines = plan(case.text, [NEW])[0].splitlines()
    assert new_lines[1] == "reindex.remote.whitelist:"
    items = new_lines[2:5]
    assert all(line.startswith("- ") for line in items)
    assert yaml.safe_load(items[-1][2:]) == NEW


def test_indented_block_list_keeps_item_indent():
    case = next(c for c in CASES if c.name == "block_list_indented")
    new_lines = plan(case.text, [NEW])[0].splitlines()
    assert all(line.startswith("  - ") for line in new_lines[2:5])


def test_flow_list_stays_a_flow_list():
    case = next(c for c in CASES if c.name == "flow_list")
    new_text = plan(case.text, [NEW])[0]
    loaded = yaml.safe_load(new_text)
    assert loaded[SETTING] == ["10.0.0.1:9200", "es-old.example.com:9200", NEW]
    assert new_text.splitlines()[1].rstrip().endswith("]")


def test_trailing_comment_on_key_line_is_kept():
    case = next(c for c in CASES if c.name == "trailing_comment_on_key_line")
    key_line = plan(case.text, [NEW])[0].splitlines()[1]
    assert key_line.endswith("# the old cluster")


def test_nested_whitelist_emptied_keeps_its_siblings():
    case = next(c for c in CASES if c.name == "nested_mapping")
    new_text = plan(case.text, ["10.0.0.1:9200"], state="absent")[0]
    loaded = yaml.safe_load(new_text)
    assert loaded["reindex"]["remote"]["ssl"] == {
        "verification_mode": "full",
        "certificate_authorities": ["/etc/elasticsearch/ca.crt"],
    }
    assert _as_entries(loaded["reindex"]["remote"].get("whitelist")) == []


def test_guide_folded_form_becomes_a_single_line():
    case = next(c for c in CASES if c.name == "guide_folded_scalar")
    new_text = plan(case.text, [NEW])[0]
    # the folded continuation lines belonged to the value and are gone; the next setting follows directly
    assert new_text.splitlines()[2] == "node.name: n1"
    assert len(new_text.splitlines()) == 3


# --- entries -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    ["10.0.0.1:9200", "es-old.example.com:9243", "*.example.com:9200", "10.1.*:9200", "[::1]:9200", "h:*", "host:1"],
)
def test_valid_entries(entry):
    assert entry_problem(entry) is None
    new_text = plan("", [entry])[0]
    assert effective(new_text) == (True, [entry])


@pytest.mark.parametrize(
    "entry, expected",
    [
        ("http://h:9200", ["scheme", "'h:9200'"]),
        ("https://es.example.com:9243/", ["scheme", "'es.example.com:9243'"]),
        ("10.0.0.1:9200/_search", ["path", "'10.0.0.1:9200'"]),
        ("es-old.example.com", ["port", "'es-old.example.com:9200'"]),
        ("[::1]", ["port", "'[::1]:9200'"]),
        ("h1:9200 h2:9200", ["space"]),
        ("*:*", ["every host"]),
        ("*:9200", ["every host"]),
        ("fe80::1:9200", ["bracket"]),
        ("h:http", ["port"]),
        ("h:123456", ["port"]),
    ],
)
def test_invalid_entries(entry, expected):
    problem = entry_problem(entry)
    assert problem is not None
    for word in expected:
        assert word in problem
    with pytest.raises(WhitelistError) as info:
        plan("cluster.name: prod\n", [entry])
    for word in expected:
        assert word in str(info.value)


@pytest.mark.parametrize("entry", ["", "   ", None])
def test_empty_entry_is_a_problem(entry):
    assert "empty" in entry_problem(entry)


def test_blank_entries_are_refused_rather_than_clearing_the_list():
    # An empty variable must not turn `exclusive: true` into "remove the whole whitelist".
    text = "reindex.remote.whitelist: 10.0.0.1:9200\n"
    with pytest.raises(WhitelistError, match="empty entry"):
        plan(text, ["", "  "], exclusive=True)


def test_all_bad_entries_are_reported_together():
    with pytest.raises(WhitelistError) as info:
        plan("", ["http://h:9200", "10.0.0.1:9200", "es-old"])
    message = str(info.value)
    assert "'h:9200'" in message
    assert "'es-old:9200'" in message
    assert "10.0.0.1:9200" not in message


def test_bad_entry_leaves_file_alone_even_with_state_absent():
    with pytest.raises(WhitelistError):
        plan("reindex.remote.whitelist: h:9200\n", ["http://h:9200"], state="absent")


def test_entry_without_host_is_named_as_such():
    problem = entry_problem(":9200")
    assert problem is not None
    assert ":9200:9200" not in problem
    assert "host" in problem


# --- files that cannot be edited ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["cluster.name: [prod\n", "a: 1\n  b: 2\n", "key: 'unclosed\n", "- a\n- b\n", "just a string\n"],
)
def test_unusable_file_raises_whitelist_error(text):
    with pytest.raises(WhitelistError):
        plan(text, [NEW])
    with pytest.raises(WhitelistError):
        current_entries(text)


def test_whitelist_set_twice_names_both_lines():
    text = (
        "cluster.name: prod\n"
        "reindex.remote.whitelist: 10.0.0.1:9200\n"
        "node.name: n1\n"
        "reindex:\n"
        "  remote:\n"
        "    whitelist: es-old:9200\n"
    )
    with pytest.raises(WhitelistError) as info:
        plan(text, [NEW])
    message = str(info.value)
    assert "more than once" in message
    numbers = re.findall(r"\d+", message.replace(SETTING, ""))
    assert "2" in numbers and "6" in numbers


def test_whitelist_set_twice_with_dotted_parent():
    text = "reindex.remote:\n  whitelist: a:9200\nreindex.remote.whitelist: b:9200\n"
    with pytest.raises(WhitelistError) as info:
        current_entries(text)
    numbers = re.findall(r"\d+", str(info.value).replace(SETTING, ""))
    assert "2" in numbers and "3" in numbers


def test_other_reindex_settings_are_not_the_whitelist():
    text = "reindex.remote.whitelist_extra: x\nreindex.ssl.verification_mode: none\nreindex:\n  remote:\n    other: 1\n"
    assert current_entries(text) == []
    new_text = plan(text, [NEW])[0]
    assert new_text.startswith(text)
    assert effective(new_text) == (True, [NEW])


def test_setting_with_empty_value_counts_as_no_entries():
    text = "cluster.name: prod\nreindex.remote.whitelist:\nnode.name: n1\n"
    assert current_entries(text) == []
    new_text = plan(text, [NEW])[0]
    assert effective(new_text) == (True, [NEW])
    assert new_text.splitlines()[0] == "cluster.name: prod"
    assert new_text.splitlines()[-1] == "node.name: n1"


def test_whitelist_inside_flow_mapping_is_refused_not_corrupted():
    text = 'reindex: {remote: {whitelist: "10.0.0.1:9200"}}\nnode.name: n1\n'
    with pytest.raises(WhitelistError, match="flow style"):
        plan(text, [NEW])


# --- ${VAR} placeholders -----------------------------------------------------------------------------------

ENV_FILE = (
    "cluster.name: ${CLUSTER_NAME}\n"
    "node.name: ${HOSTNAME}\n"
    'network.host: "${ES_BIND_HOST}"\n'
    "reindex.remote.whitelist:\n"
    "  - ${SOURCE_HOST}:9200\n"
    "path.data: ${ES_DATA:/var/lib/elasticsearch}\n"
)


def test_env_var_substitutions_are_kept_byte_for_byte():
    assert current_entries(ENV_FILE) == ["${SOURCE_HOST}:9200"]
    # the entry already there: nothing to do, not a byte changes
    assert plan(ENV_FILE, ["${SOURCE_HOST}:9200"]) == (ENV_FILE, ["${SOURCE_HOST}:9200"], ["${SOURCE_HOST}:9200"], [], [])
    new_text = plan(ENV_FILE, [NEW])[0]
    old_lines, new_lines = ENV_FILE.splitlines(True), new_text.splitlines(True)
    assert new_lines[:4] == old_lines[:4]
    assert new_lines[-1] == old_lines[-1]
    assert effective(new_text) == (True, ["${SOURCE_HOST}:9200", NEW])
    # the placeholder entry itself survives (re-quoted, same value) for Elasticsearch to substitute
    assert '"${SOURCE_HOST}:9200"' in new_text
    loaded = yaml.safe_load(new_text)
    assert loaded["node.name"] == "${HOSTNAME}" and loaded["path.data"] == "${ES_DATA:/var/lib/elasticsearch}"
    # and an ssl setting appended to the same file leaves every placeholder line alone
    ssl_text = plan_setting(new_text, "reindex.ssl.verification_mode", "full")[0]
    assert ssl_text == new_text + 'reindex.ssl.verification_mode: "full"\n'


@pytest.mark.parametrize(
    "entry",
    ["${SOURCE_HOST}:9200", "${SOURCE_HOST}:${SOURCE_PORT}", "${SOURCE}", "es-${ENV}.example.com:9200",
     "[${SOURCE_V6}]:9200", "${SOURCE_HOST:10.0.0.1}:9200"],
)
def test_entries_with_env_var_placeholders_are_valid(entry):
    # Elasticsearch replaces ${VAR} before it reads the setting, so only what is wrong whatever the variable
    # holds is refused.
    assert entry_problem(entry) is None
    new_text = plan("node.name: ${HOSTNAME}\n", [entry])[0]
    assert new_text.startswith("node.name: ${HOSTNAME}\n")
    assert effective(new_text) == (True, [entry])


@pytest.mark.parametrize(
    "entry, expected",
    [
        ("http://${SOURCE_HOST}:9200", ["scheme", "'${SOURCE_HOST}:9200'"]),
        ("${SOURCE_HOST}:9200/x", ["path", "'${SOURCE_HOST}:9200'"]),
        ("${SOURCE_HOST}:http", ["port"]),
        ("*:${SOURCE_PORT}", ["every host"]),
        ("${A}:9200 ${B}:9200", ["space"]),
        ("${A}:9200,${B}:9200", ["several"]),
    ],
)
def test_entries_with_placeholders_still_checked_outside_them(entry, expected):
    problem = entry_problem(entry)
    assert problem is not None
    for word in expected:
        assert word in problem


# --- other dotted settings (reindex.ssl.*) ------------------------------------------------------------------

VM = "reindex.ssl.verification_mode"
CA = "reindex.ssl.certificate_authorities"
CA_PATHS = ["/etc/elasticsearch/certs/ca.crt", "/etc/elasticsearch/certs/old-ca.crt"]


class SslCase:
    """A file holding the ssl settings in some shape; span as in Case, for the setting named by `key`."""

    def __init__(self, name, text, key, span, value):
        self.name, self.text, self.key, self.span, self.value = name, text, key, span, value

    def __repr__(self):
        return self.name


SSL_CASES = [
    SslCase("flat_scalar", "cluster.name: prod\nreindex.ssl.verification_mode: certificate\nnode.name: n1\n", VM, (1, 2), "certificate"),
    SslCase(
        "nested_reindex_ssl",
        "cluster.name: prod\nreindex:\n  remote.whitelist: h:9200\n  ssl:\n    verification_mode: none  # testing\n"
        "    key: /etc/es/client.key\nnode.name: n1\n",
        VM, (4, 5), "none",
    ),
    SslCase("dotted_parent", "reindex.ssl:\n  verification_mode: 'certificate'\n  key: k.pem\n", VM, (1, 2), "certificate"),
    SslCase("nested_dotted_child", "reindex:\n  ssl.verification_mode: certificate\nnode.name: n1\n", VM, (1, 2), "certificate"),
    SslCase("crlf", "a: 1\r\nreindex.ssl.verification_mode: none\r\nb: 2\r\n", VM, (1, 2), "none"),
    SslCase("block_list", "a: 1\n" + CA + ":\n  - /etc/elasticsearch/certs/ca.crt\n  - old.crt\n\n# tail\nb: 2\n", CA, (1, 4),
            ["/etc/elasticsearch/certs/ca.crt", "old.crt"]),
    SslCase("flow_list", "a: 1\nreindex:\n  ssl:\n    certificate_authorities: [ca.crt]\nb: 2\n", CA, (3, 4), ["ca.crt"]),
    SslCase("scalar_list", "a: 1\n" + CA + ": ca.crt\nb: 2\n", CA, (1, 2), ["ca.crt"]),
]


def _sibling_values(text, keys):
    loaded = yaml.safe_load(text) or {}
    return {key: _lookup(loaded, key) for key in keys}


@pytest.mark.parametrize("case", SSL_CASES, ids=repr)
def test_ssl_setting_reads_and_changes_only_its_lines(case):
    as_list = isinstance(case.value, list)
    assert current_setting(case.text, case.key, as_list=as_list) == case.value
    wanted = CA_PATHS if as_list else "full"
    new_text, before, after = plan_setting(case.text, case.key, wanted)
    assert (before, after) == (case.value, wanted)
    lines, new_lines = case.text.splitlines(True), new_text.splitlines(True)
    assert new_lines[: case.span[0]] == lines[: case.span[0]]
    assert new_lines[len(new_lines) - (len(lines) - case.span[1]):] == lines[case.span[1]:]
    found, value = _lookup(yaml.safe_load(new_text), case.key)
    assert found and value == wanted
    others = ["cluster.name", "node.name", "reindex.ssl.key", "reindex.remote.whitelist", "a", "b"]
    assert _sibling_values(new_text, others) == _sibling_values(case.text, others)
    if "\r\n" in case.text:
        assert "\n" not in new_text.replace("\r\n", "")
    # idempotent, and the same value in the file's own style is no change
    assert plan_setting(new_text, case.key, wanted) == (new_text, wanted, wanted)
    assert plan_setting(case.text, case.key, case.value) == (case.text, case.value, case.value)


def test_ssl_scalar_is_written_double_quoted_and_keeps_a_trailing_comment():
    case = next(c for c in SSL_CASES if c.name == "nested_reindex_ssl")
    new_text = plan_setting(case.text, VM, "full")[0]
    assert new_text.splitlines()[4] == '    verification_mode: "full"  # testing'


def test_ssl_lists_keep_block_and_flow_style():
    block = next(c for c in SSL_CASES if c.name == "block_list")
    new_text = plan_setting(block.text, CA, CA_PATHS)[0]
    assert new_text.splitlines()[1:4] == [CA + ":", '  - "%s"' % CA_PATHS[0], '  - "%s"' % CA_PATHS[1]]
    flow = next(c for c in SSL_CASES if c.name == "flow_list")
    assert plan_setting(flow.text, CA, CA_PATHS)[0].splitlines()[3] == '    certificate_authorities: ["%s", "%s"]' % tuple(CA_PATHS)
    # a comma-separated string becomes a flow list (a path may hold a comma)
    scalar = next(c for c in SSL_CASES if c.name == "scalar_list")
    assert plan_setting(scalar.text, CA, ["a,b.crt"])[0].splitlines()[1] == CA + ': ["a,b.crt"]'


@pytest.mark.parametrize(
    "text", ["", "cluster.name: prod\n", "cluster.name: prod", "cluster.name: prod\r\n", "reindex:\n  remote.whitelist: h:9200\n"]
)
def test_absent_ssl_setting_is_appended_as_a_flat_line(text):
    eol = "\r\n" if "\r\n" in text else "\n"
    base = text if not text or text.endswith("\n") else text + eol
    new_text, before, after = plan_setting(text, VM, "full")
    assert before is None and after == "full"
    assert new_text == base + 'reindex.ssl.verification_mode: "full"' + eol
    new_text, before, after = plan_setting(new_text, CA, CA_PATHS)
    assert before is None
    assert new_text.endswith(CA + ': ["%s", "%s"]' % tuple(CA_PATHS) + eol)
    loaded = yaml.safe_load(new_text)
    assert _lookup(loaded, VM) == (True, "full") and _lookup(loaded, CA) == (True, CA_PATHS)


def test_empty_list_removes_a_flat_ssl_list_and_is_nothing_when_absent():
    text = "a: 1\n" + CA + ":\n  - ca.crt\nb: 2\n"
    assert plan_setting(text, CA, []) == ("a: 1\nb: 2\n", ["ca.crt"], [])
    assert plan_setting("a: 1\n", CA, []) == ("a: 1\n", None, None)


def test_ssl_setting_set_twice_or_in_flow_mapping_is_refused():
    with pytest.raises(WhitelistError, match="more than once"):
        plan_setting("reindex.ssl.verification_mode: none\nreindex:\n  ssl:\n    verification_mode: full\n", VM, "full")
    with pytest.raises(WhitelistError, match="flow style"):
        plan_setting("reindex: {ssl: {verification_mode: none}}\n", VM, "full")
    with pytest.raises(WhitelistError, match="not valid YAML"):
        plan_setting("a: [b\n", VM, "full")


def test_ssl_setting_values_are_the_text_elasticsearch_reads():
    # 'none' and 'yes' are strings to Elasticsearch (not null or true): no change when the file has them
    assert plan_setting("reindex.ssl.verification_mode: none\n", VM, "none")[0] == "reindex.ssl.verification_mode: none\n"
    text = "reindex.ssl.key_passphrase: yes\n"
    assert plan_setting(text, "reindex.ssl.key_passphrase", "yes") == (text, "yes", "yes")


def test_whitelist_and_ssl_settings_do_not_interfere():
    text = "reindex:\n  remote:\n    whitelist: a:9200\n  ssl:\n    verification_mode: none\n"
    step = plan(text, [NEW])[0]
    step = plan_setting(step, VM, "full")[0]
    step = plan_setting(step, CA, ["ca.crt"])[0]
    loaded = yaml.safe_load(step)
    assert effective(step) == (True, ["a:9200", NEW])
    assert _lookup(loaded, VM) == (True, "full") and _lookup(loaded, CA) == (True, ["ca.crt"])
    assert step.startswith("reindex:\n  remote:\n")


def test_mask_setting_hides_the_value_only():
    text = "a: 1\nreindex:\n  ssl:\n    key_passphrase: s3cret  # keep\nb: 2\n"
    masked = mask_setting(text, "reindex.ssl.key_passphrase")
    assert masked == "a: 1\nreindex:\n  ssl:\n    key_passphrase: \"********\"  # keep\nb: 2\n"
    assert "s3cret" not in masked
    assert mask_setting("a: 1\n", "reindex.ssl.key_passphrase") == "a: 1\n"
    assert mask_setting("a: [b\n", "reindex.ssl.key_passphrase") == "a: [b\n"  # unparsable: left for the caller


# --- issue 13: validation that tells the truth ---------------------------------------------------------------


@pytest.mark.parametrize("entry", ["h:99999", "h:0", "h:65536", "[::1]:70000"])
def test_ports_outside_1_to_65535_are_refused(entry):
    assert "1 to 65535" in entry_problem(entry)


@pytest.mark.parametrize("entry", ["h:1", "h:65535", "h:*", "[::1]:9200"])
def test_ports_inside_the_range_pass(entry):
    assert entry_problem(entry) is None


@pytest.mark.parametrize(
    "entry",
    ["*", "**", "*:9200", "*:*", "h", "http://h:9200", "h:9200/x", "h :9200", "h:99999", "*.example.com",
     "{'host': 'h', 'port': 9200}", "{'h': 9200}", "[::1]", ":9200"],
)
def test_every_advised_value_is_one_the_module_accepts(entry):
    problem = entry_problem(entry)
    assert problem
    for advice in re.findall(r"(?:use|such as) '([^']*)'", problem):
        assert entry_problem(advice) is None, (entry, problem, advice)


def test_a_mapping_given_as_an_entry_is_told_to_be_a_string():
    problem = entry_problem("{'host': 'a', 'port': 9200}")
    assert "not a string" in problem and "several entries" not in problem
