# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Edit reindex settings (reindex.remote.whitelist, reindex.ssl.*) in an elasticsearch.yml text, leaving every
other byte as it was.

The file is parsed with PyYAML only to find where a setting is (line numbers from its node marks); the edit
itself replaces those lines and nothing else, so comments, ordering, quoting and line endings elsewhere
survive. A setting may be written as a flat dotted key or nested under any split of its dots
(reindex: / ssl: / ...); a setting that is absent is appended as one flat line.
"""

from __future__ import annotations

import json
import re
import traceback
from collections import namedtuple

try:
    import yaml
except ImportError:  # es_reindex_whitelist reports it with missing_required_lib
    yaml = None
    YAML_IMPORT_ERROR = traceback.format_exc()
else:
    YAML_IMPORT_ERROR = None

WHITELIST = "reindex.remote.whitelist"
ALLOWLIST = "reindex.remote.allowlist"  # OpenSearch 2.0 and later; 3.x refuses the whitelist name
REMOTE_SETTINGS = (WHITELIST, ALLOWLIST)
SETTING = WHITELIST
SSL_PREFIX = "reindex.ssl."
_PORT = re.compile(r"^(\d{1,5}|\*)$")
# ${NAME} placeholders: Elasticsearch replaces them with environment variables before it reads a setting.
_PLACEHOLDER = re.compile(r"\$\{[^{}]+\}")
_MASK_BASE = 0xE000  # private-use characters stand in for placeholders while an entry is checked


# The outcome of plan_remote: the new text, the entries before and after, what changed, and the other setting
# name whose line was moved to the managed one (None when nothing moved).
RemotePlan = namedtuple("RemotePlan", "text before after added removed moved_from")


class WhitelistError(Exception):
    """The file, a setting or an entry cannot be handled; the message says what to fix."""


def _mask_placeholders(text):
    """`text` with each ${...} replaced by one private-use character, and a function that undoes it."""
    found = []

    def substitute(match):
        found.append(match.group(0))
        return chr(_MASK_BASE + len(found) - 1)

    masked = _PLACEHOLDER.sub(substitute, text)

    def unmask(part):
        return "".join(found[ord(char) - _MASK_BASE] if _MASK_BASE <= ord(char) < _MASK_BASE + len(found) else char
                       for char in part)

    return masked, (lambda part: any(_MASK_BASE <= ord(c) < _MASK_BASE + len(found) for c in part)), unmask


EVERY_HOST = (
    "%r accepts every host, which lets anyone allowed to reindex make the cluster fetch from anywhere "
    "(and a bare * stops Elasticsearch from starting): name the source host"
)
EXAMPLE_ENTRY = "es-source.example.com:9200"


def _form_problem(text, masked, unmask):
    """Why the entry's overall shape is wrong (a structure, every host, a URL, several entries), or None."""
    if masked.startswith("{") or masked.startswith("[{") or masked.startswith("['"):
        # Ansible turns a mapping or list given as an entry into its Python text, e.g. "{'host': 'a', 'port': 9200}".
        return "%r is a mapping or a list, not a string; each entry must be a string host:port such as %r" % (
            text, EXAMPLE_ENTRY)
    if set(masked.rpartition(":")[0] if ":" in masked else masked) <= {"*"}:
        return (EVERY_HOST + ", use %r") % (text, EXAMPLE_ENTRY)
    if "://" in masked:
        rest = unmask(masked.split("://", 1)[1].split("/", 1)[0])
        return "%r has a scheme; the whitelist holds host:port only: use %r" % (text, rest or "host:port")
    if "/" in masked:
        return "%r has a path; the whitelist holds host:port only: use %r" % (text, unmask(masked.split("/", 1)[0]))
    if "," in masked:
        return "%r holds several entries; give one host:port per list item" % text
    if re.search(r"\s", masked):
        return "%r contains spaces; give one host:port per entry" % text
    return None


def _bracketed_host_port(text, masked, _has_placeholder):
    """(host, port, problem) of an [IPv6]:port entry."""
    if "]" not in masked:
        return None, None, "%r opens a bracket it does not close; write IPv6 addresses as [address]:port" % text
    host, sep, port = masked.partition("]:")
    if not sep:
        return None, None, "%r has no port; use %r (IPv6 addresses in brackets, then :port)" % (text, text + ":9200")
    return host + "]", port, None


def _plain_host_port(text, masked, has_placeholder):
    """(host, port, problem) of a host:port entry; (None, None, None) when a placeholder may hold the port."""
    host, sep, port = masked.rpartition(":")
    if not sep:
        if has_placeholder(masked):
            return None, None, None  # the variable may hold the port (or the whole host:port)
        return None, None, "%r has no port; use %r" % (text, text + ":9200")
    if not host:
        return None, None, "%r has no host; give host:port, for example 10.0.0.1%s" % (text, text)
    if ":" in host:
        return None, None, "%r looks like an IPv6 address without brackets; use [address]:port" % text
    return host, port, None


def _port_problem(text, port, has_placeholder, unmask):
    if has_placeholder(port) or port == "*":
        return None
    if _PORT.match(port) and 1 <= int(port) <= 65535:
        return None
    return "%r has an invalid port %r; use a number from 1 to 65535, or *" % (text, unmask(port))


def entry_problem(entry):
    """Why an entry is not a valid host:port pattern for the whitelist, or None when it is.

    A ${VAR} placeholder may stand for any text (Elasticsearch substitutes environment variables before it
    reads the setting), so an entry using one is refused only when it is wrong whatever the variables hold:
    ${SOURCE_HOST}:9200, ${SOURCE_HOST}:${SOURCE_PORT} and ${SOURCE} pass, http://${SOURCE_HOST}:9200 does not.
    """
    if not isinstance(entry, str) or not entry.strip():
        return "an empty entry; give host:port, for example 10.0.0.1:9200"
    text = entry.strip()
    masked, has_placeholder, unmask = _mask_placeholders(text)
    problem = _form_problem(text, masked, unmask)
    if problem:
        return problem
    split = _bracketed_host_port if masked.startswith("[") else _plain_host_port
    host, port, problem = split(text, masked, has_placeholder)
    if problem or host is None:
        return problem
    problem = _port_problem(text, port, has_placeholder, unmask)
    if problem:
        return problem
    if set(host) <= {"*"}:
        return EVERY_HOST % text
    return None


def normalise_entries(entries):
    """Entries stripped and de-duplicated in their given order."""
    seen = []
    for entry in entries:
        text = entry.strip()
        if text and text not in seen:
            seen.append(text)
    return seen


def split_value(value):
    """The entries of a whitelist value as Elasticsearch reads it: a list, or a comma-separated string."""
    if value is None:
        return []
    if isinstance(value, list):
        items = []
        for item in value:
            items.extend(split_value(item))
        return items
    return [part.strip() for part in str(value).split(",") if part.strip()]


class Location:
    """Where a setting is in the text: its key node, value node and the full key path."""

    def __init__(self, key_node, value_node, path):
        self.key_node = key_node
        self.value_node = value_node
        self.path = path

    @property
    def line(self):
        return self.key_node.start_mark.line

    @property
    def flat(self):
        """Whether the setting is written as its full dotted key at the top level."""
        return self.key_node.value == self.path


def _find(node, prefix, found, setting=SETTING):
    if not isinstance(node, yaml.MappingNode):
        return
    if node.flow_style and prefix:
        # Inside {...} the setting's lines cannot be replaced on their own.
        raise WhitelistError(
            "%s is written in flow style ({...}) on line %d; write it as a block mapping or a flat "
            "%s line first" % (".".join(prefix), node.start_mark.line + 1, setting)
        )
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        path = prefix + [str(key_node.value)]
        dotted = ".".join(path)
        if dotted == setting:
            found.append(Location(key_node, value_node, dotted))
        elif setting.startswith(dotted + "."):
            _find(value_node, path, found, setting)


def locate_setting(text, setting):
    """The Location of a dotted setting, or None. Raises WhitelistError for bad YAML or duplicates."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise WhitelistError("the file is not valid YAML (%s); fix it before editing %s" % (exc, setting))
    if root is None:
        return None
    if not isinstance(root, yaml.MappingNode):
        raise WhitelistError("the file's top level is not a mapping of settings")
    found = []
    _find(root, [], found, setting)
    if len(found) > 1:
        raise WhitelistError(
            "%s is set more than once (lines %s); keep a single definition"
            % (setting, ", ".join(str(loc.line + 1) for loc in found))
        )
    return found[0] if found else None


def locate(text, setting=SETTING):
    """The Location of the whitelist (or allowlist) setting, or None. Raises WhitelistError for bad YAML or duplicates."""
    return locate_setting(text, setting)


def current_entries(text, setting=SETTING):
    """The entries the file holds now."""
    location = locate(text, setting)
    if location is None:
        return []
    value = yaml.constructor.SafeConstructor().construct_object(location.value_node, deep=True)
    return split_value(value)


def _raw(node, setting):
    """A value node as Elasticsearch reads it: scalar text (None when empty/null) or a list of texts."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:null" and node.style is None:
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        items = []
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode):
                raise WhitelistError("%s holds a nested structure on line %d; expected plain values"
                                     % (setting, item.start_mark.line + 1))
            items.append(item.value)
        return items
    raise WhitelistError("%s holds a mapping on line %d; expected a value" % (setting, node.start_mark.line + 1))


def current_setting(text, setting, as_list=False):
    """The value of a dotted setting as the file holds it: None when absent, else a str (or a list of str
    when `as_list`, a comma-separated string being split as Elasticsearch splits list settings)."""
    location = locate_setting(text, setting)
    if location is None:
        return None
    value = _raw(location.value_node, setting)
    if not as_list:
        if isinstance(value, list):
            raise WhitelistError("%s holds a list on line %d; expected a single value" % (setting, location.line + 1))
        return value
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [part.strip() for part in value.split(",") if part.strip()]


def _line_ending(lines):
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
    return "\n"


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def _is_block(node):
    if isinstance(node, yaml.SequenceNode):
        return not node.flow_style
    return isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")


def _value_span(lines, location):
    """First and last line (inclusive) that hold the setting's key and value."""
    first = location.line
    value = location.value_node
    end = value.end_mark
    last = min(max(first, end.line if end.column > 0 else end.line - 1), len(lines) - 1)
    if not _is_block(value):
        return first, last
    # A block value's end mark lies past trailing blank and comment lines; those stay. What belongs to
    # the value is indented deeper than the key, or is a '- ' item at the key's indent.
    key_indent = location.key_node.start_mark.column
    while last > first:
        stripped = lines[last].strip()
        if stripped and not stripped.startswith("#"):
            if _indent(lines[last]) > key_indent or (isinstance(value, yaml.SequenceNode) and stripped.startswith("-")):
                break
        last -= 1
    return first, last


def _render_value(value, style, item_indent):
    """The value text for a str (double-quoted) or a list in the given style (scalar, flow or block)."""
    if isinstance(value, str):
        return " " + json.dumps(value), []
    quoted = [json.dumps(entry) for entry in value]
    if style == "flow":
        return " [%s]" % ", ".join(quoted), []
    if style == "block" and value:
        return "", ["%s- %s" % (" " * item_indent, item) for item in quoted]
    if not value:
        return " []", []
    return " " + json.dumps(", ".join(value)), []


def _append_setting(text, setting, value, scalar_lists, eol):
    """The text with an absent setting appended as one flat line (an empty list appends nothing)."""
    if isinstance(value, list) and not value:
        return text
    prefix = text if not text or text.endswith(("\n", "\r")) else text + eol
    style = "scalar" if scalar_lists else "flow"
    return prefix + setting + ":" + _render_value(value, style, 0)[0] + eol


def _list_style(value_node, scalar_lists):
    """How a list is written where the setting is: the file's block or flow list, else scalar or flow."""
    if isinstance(value_node, yaml.SequenceNode):
        return "flow" if value_node.flow_style else "block"
    return "scalar" if scalar_lists else "flow"


def _item_indent(location, style):
    """Indentation of '- ' items: the file's own, or two spaces past the key."""
    value_node = location.value_node
    if style == "block" and value_node.value:
        return value_node.value[0].start_mark.column - 2
    return location.key_node.start_mark.column + 2


def _trailing_comment(key_line, location, first, last):
    """A comment that follows a value written on the key line, kept after the new value ("" when none)."""
    value_node = location.value_node
    if first != last or value_node.end_mark.line != first:
        return ""
    rest = key_line[value_node.end_mark.column:].rstrip("\r\n")
    return rest if rest.strip().startswith("#") else ""


def _replace_value(lines, location, value, scalar_lists, eol):
    """The new lines of a present setting: its key line with the value, then any '- ' item lines."""
    first, last = _value_span(lines, location)
    key_line = lines[first]
    # The last replaced line keeps its own ending (none at the end of a file without a final newline).
    line_eol = lines[last][len(lines[last].rstrip("\r\n")):]
    style = _list_style(location.value_node, scalar_lists)
    head = key_line[:location.key_node.end_mark.column] + ":"
    rendered, item_lines = _render_value(value, style, _item_indent(location, style))
    trailing = _trailing_comment(key_line, location, first, last)
    new_lines = [head + rendered + trailing + (eol if item_lines else line_eol)]
    new_lines += [item + (eol if index < len(item_lines) - 1 else line_eol) for index, item in enumerate(item_lines)]
    return lines[:first] + new_lines + lines[last + 1:]


def render_setting(text, setting, value, scalar_lists=False):
    """The text with a dotted setting set to `value`, touching only that setting's lines.

    `value` is a str (written double-quoted) or a list of str. A list keeps the style the file uses (block or
    flow list; a comma-separated string only when `scalar_lists`, otherwise it becomes a flow list). An empty
    list removes a flat setting; an absent setting is appended as one flat line (a list as a comma-separated
    string when `scalar_lists`, else as a flow list).
    """
    location = locate_setting(text, setting)
    lines = text.splitlines(True)
    eol = _line_ending(lines)
    if location is None:
        return _append_setting(text, setting, value, scalar_lists, eol)
    if isinstance(value, list) and not value and location.flat:
        first, last = _value_span(lines, location)
        return "".join(lines[:first] + lines[last + 1:])
    return "".join(_replace_value(lines, location, value, scalar_lists, eol))


def render(text, entries, setting=SETTING):
    """The text with the whitelist (or allowlist) set to exactly `entries` (removed when empty and flat)."""
    return render_setting(text, setting, list(entries), scalar_lists=True)


def _setting_value(key, value):
    """A setting's wanted value checked: a stripped list of non-empty str, or a str."""
    if isinstance(value, (list, tuple)):
        value = [str(item).strip() for item in value]
        if any(not item for item in value):
            raise WhitelistError("%s: an empty list item; give one value per item" % key)
        return value
    if not isinstance(value, str):
        raise WhitelistError("%s: expected a string or a list of strings, got %r" % (key, value))
    return value


def plan_setting(text, key, value):
    """What the file should become for one dotted setting: (new_text, before, after).

    `value` is a str or a list of str (an empty list removes a flat setting). `before` is the value the file
    holds (None when absent; a list when `value` is a list), `after` the value it will hold. The text is
    unchanged when the file already holds the value, in whatever style it is written.
    Raises WhitelistError for a file that cannot be edited safely.
    """
    value = _setting_value(key, value)
    before = current_setting(text, key, as_list=isinstance(value, list))
    if before == value or (before is None and value == []):
        return text, before, before
    return render_setting(text, key, value), before, value


def mask_setting(text, key, mask="********"):
    """The text with the value of `key` (when present and not empty) shown as `mask`, for diffs and logs."""
    try:
        location = locate_setting(text, key)
    except WhitelistError:
        return text
    if location is None or _raw(location.value_node, key) in (None, ""):
        return text
    return render_setting(text, key, mask)


def other_setting(setting):
    """The other name of the remote hosts setting: allowlist for whitelist and the reverse."""
    if setting not in REMOTE_SETTINGS:
        raise WhitelistError("unknown setting %r; use %s" % (setting, " or ".join(REMOTE_SETTINGS)))
    return ALLOWLIST if setting == WHITELIST else WHITELIST


def _rename_key(text, location, old, new):
    """The text with the last dotted part of the key at `location` renamed from `old` to `new`, nothing else."""
    lines = text.splitlines(True)
    line = lines[location.line]
    start, end = location.key_node.start_mark.column, location.key_node.end_mark.column
    key_text = line[start:end]
    at = key_text.rindex(old)
    lines[location.line] = line[:start] + key_text[:at] + new + key_text[at + len(old):] + line[end:]
    return "".join(lines)


def move_other_setting(text, setting):
    """(text, moved_from): the other name's key renamed to `setting` in place, its entries kept; moved_from is
    the other name, or None when the file does not hold it. A file holding both names is refused."""
    other = other_setting(setting)
    found = locate_setting(text, other)
    if found is None:
        return text, None
    managed = locate_setting(text, setting)
    if managed is not None:
        raise WhitelistError(
            "the file sets both %s (line %d) and %s (line %d); the node reads only one of them: merge the entries "
            "into %s and remove the other line" % (other, found.line + 1, setting, managed.line + 1, setting))
    return _rename_key(text, found, other.rpartition(".")[2], setting.rpartition(".")[2]), other


def _checked_entries(entries):
    """The wanted entries stripped and de-duplicated; WhitelistError naming every invalid one."""
    problems = [problem for problem in (entry_problem(entry) for entry in entries) if problem]
    if problems:
        raise WhitelistError("invalid whitelist entr%s: %s" % ("y" if len(problems) == 1 else "ies", "; ".join(problems)))
    return normalise_entries(entries)


def _entries_after(before, wanted, state, exclusive):
    if state == "absent":
        return [entry for entry in before if entry not in wanted]
    if exclusive:
        return wanted
    return normalise_entries(before + wanted)


def plan_remote(text, entries, state="present", exclusive=False, setting=SETTING):
    """What the file should become for the remote hosts setting `setting` (whitelist or allowlist).

    A file holding the other name has that setting moved: its key renamed in place, its entries kept.
    Returns a RemotePlan; raises WhitelistError for a bad entry or a file that cannot be edited safely.
    """
    wanted = _checked_entries(entries)
    moved_text, moved_from = move_other_setting(text, setting)
    before = current_entries(moved_text, setting)
    after = _entries_after(before, wanted, state, exclusive)
    added = [entry for entry in after if entry not in before]
    removed = [entry for entry in before if entry not in after]
    if not added and not removed:
        return RemotePlan(moved_text, before, before, [], [], moved_from)
    return RemotePlan(render(moved_text, after, setting), before, after, added, removed, moved_from)


def plan(text, entries, state="present", exclusive=False):
    """What the file should become: (new_text, before_entries, after_entries, added, removed), for the whitelist.

    Raises WhitelistError for a bad entry or a file that cannot be edited safely.
    """
    return tuple(plan_remote(text, entries, state, exclusive)[:5])


def _pattern_regex(pattern):
    """Elasticsearch's simple wildcards: * any run of characters, ? one character."""
    return re.compile("^%s$" % ".".join(".*".join(re.escape(part) for part in piece.split("*")) for piece in pattern.split("?")))


def whitelist_allows(patterns, entry):
    """Whether one of the whitelist patterns accepts host:port `entry`, as Elasticsearch matches them."""
    return any(_pattern_regex(pattern.strip()).match(entry) for pattern in split_value(patterns))


def _loaded_patterns(settings, setting):
    """The patterns of one setting in a node's flat settings, or None when the node has not set it."""
    patterns = settings.get(setting)
    if patterns is None:  # a list may come back flattened as reindex.remote.whitelist.0, .1, ...
        patterns = [value for key, value in sorted(settings.items()) if key.startswith(setting + ".")] or None
    return patterns


def loaded_remote_patterns(settings):
    """The remote hosts patterns a node loaded: reindex.remote.allowlist (OpenSearch 2+), else the whitelist,
    which OpenSearch 2 reads when the allowlist is not set and Elasticsearch reads alone."""
    for setting in (ALLOWLIST, WHITELIST):
        patterns = _loaded_patterns(settings, setting)
        if patterns is not None:
            return patterns
    return []


def nodes_missing_entry(nodes_settings, entry):
    """Names of the nodes (from GET _nodes/settings?flat_settings=true) whose whitelist or allowlist does not
    accept entry."""
    missing = []
    for node_id, node in sorted(((nodes_settings or {}).get("nodes") or {}).items()):
        if not whitelist_allows(loaded_remote_patterns(node.get("settings") or {}), entry):
            missing.append(node.get("name") or node_id)
    return missing
