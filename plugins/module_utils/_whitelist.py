# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Edit reindex.remote.whitelist in an elasticsearch.yml text, leaving every other byte as it was.

The file is parsed with PyYAML only to find where the setting is (line numbers from its node marks);
the edit itself replaces those lines and nothing else, so comments, ordering, quoting and line
endings elsewhere survive.
"""

from __future__ import annotations

import json
import re
import traceback

try:
    import yaml
except ImportError:  # es_reindex_whitelist reports it with missing_required_lib
    yaml = None
    YAML_IMPORT_ERROR = traceback.format_exc()
else:
    YAML_IMPORT_ERROR = None

SETTING = "reindex.remote.whitelist"
_PORT = re.compile(r"^(\d{1,5}|\*)$")


class WhitelistError(Exception):
    """The file or an entry cannot be handled; the message says what to fix."""


def entry_problem(entry):
    """Why an entry is not a valid host:port pattern for the whitelist, or None when it is."""
    if not isinstance(entry, str) or not entry.strip():
        return "an empty entry; give host:port, for example 10.0.0.1:9200"
    text = entry.strip()
    if "://" in text:
        rest = text.split("://", 1)[1].split("/", 1)[0]
        return "%r has a scheme; the whitelist holds host:port only: use %r" % (text, rest or "host:port")
    if "/" in text:
        return "%r has a path; the whitelist holds host:port only: use %r" % (text, text.split("/", 1)[0])
    if "," in text:
        return "%r holds several entries; give one host:port per list item" % text
    if re.search(r"\s", text):
        return "%r contains spaces; give one host:port per entry" % text
    if text.startswith("["):
        if "]" not in text:
            return "%r opens a bracket it does not close; write IPv6 addresses as [address]:port" % text
        host, sep, port = text.partition("]:")
        host = host + "]"
        if not sep:
            return "%r has no port; use %r (IPv6 addresses in brackets, then :port)" % (text, text + ":9200")
    else:
        host, sep, port = text.rpartition(":")
        if not sep:
            return "%r has no port; use %r" % (text, text + ":9200")
        if not host:
            return "%r has no host; give host:port, for example 10.0.0.1%s" % (text, text)
        if ":" in host:
            return "%r looks like an IPv6 address without brackets; use [address]:port" % text
    if not _PORT.match(port):
        return "%r has an invalid port %r; use a number or *" % (text, port)
    if set(host) <= {"*"}:
        return (
            "%r accepts every host, which lets anyone allowed to reindex make the cluster fetch from anywhere "
            "(and a bare * stops Elasticsearch from starting): name the source host" % text
        )
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
    """Where the setting is in the text: its key node, value node and the full key path."""

    def __init__(self, key_node, value_node, path):
        self.key_node = key_node
        self.value_node = value_node
        self.path = path

    @property
    def line(self):
        return self.key_node.start_mark.line


def _find(node, prefix, found):
    if not isinstance(node, yaml.MappingNode):
        return
    if node.flow_style and prefix:
        # Inside {...} the setting's lines cannot be replaced on their own.
        raise WhitelistError(
            "%s is written in flow style ({...}) on line %d; write it as a block mapping or a flat "
            "reindex.remote.whitelist line first" % (".".join(prefix), node.start_mark.line + 1)
        )
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        path = prefix + [str(key_node.value)]
        dotted = ".".join(path)
        if dotted == SETTING:
            found.append(Location(key_node, value_node, dotted))
        elif SETTING.startswith(dotted + "."):
            _find(value_node, path, found)


def locate(text):
    """The Location of the whitelist setting, or None. Raises WhitelistError for bad YAML or duplicates."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise WhitelistError("the file is not valid YAML (%s); fix it before adding the whitelist" % exc)
    if root is None:
        return None
    if not isinstance(root, yaml.MappingNode):
        raise WhitelistError("the file's top level is not a mapping of settings")
    found = []
    _find(root, [], found)
    if len(found) > 1:
        raise WhitelistError(
            "%s is set more than once (lines %s); keep a single definition"
            % (SETTING, ", ".join(str(loc.line + 1) for loc in found))
        )
    return found[0] if found else None


def current_entries(text):
    """The entries the file holds now."""
    location = locate(text)
    if location is None:
        return []
    value = yaml.constructor.SafeConstructor().construct_object(location.value_node, deep=True)
    return split_value(value)


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


def _render_value(entries, style, item_indent):
    """The value text for the given entries in the given style (scalar, flow or block)."""
    quoted = [json.dumps(entry) for entry in entries]
    if style == "flow":
        return " [%s]" % ", ".join(quoted), []
    if style == "block" and entries:
        return "", ["%s- %s" % (" " * item_indent, item) for item in quoted]
    if not entries:
        return " []", []
    return " " + json.dumps(", ".join(entries)), []


def render(text, entries):
    """The text with the whitelist set to exactly `entries` (removed when empty and flat)."""
    location = locate(text)
    lines = text.splitlines(True)
    eol = _line_ending(lines)
    if location is None:
        if not entries:
            return text
        prefix = text if not text or text.endswith(("\n", "\r")) else text + eol
        return prefix + SETTING + ":" + _render_value(entries, "scalar", 0)[0] + eol
    first, last = _value_span(lines, location)
    key_line = lines[first]
    # The last replaced line keeps its own ending (none at the end of a file without a final newline).
    line_eol = lines[last][len(lines[last].rstrip("\r\n")):]
    value_node = location.value_node
    if not entries and location.key_node.value == SETTING:
        return "".join(lines[:first] + lines[last + 1:])
    if isinstance(value_node, yaml.SequenceNode):
        style = "flow" if value_node.flow_style else "block"
    else:
        style = "scalar"
    item_indent = location.key_node.start_mark.column + 2
    if style == "block" and value_node.value:
        item_indent = value_node.value[0].start_mark.column - 2
    key_end = location.key_node.end_mark.column
    head = key_line[:key_end] + ":"
    # Keep a comment that follows a value written on the key line.
    trailing = ""
    if first == last and value_node.end_mark.line == first:
        rest = key_line[value_node.end_mark.column:].rstrip("\r\n")
        if rest.strip().startswith("#"):
            trailing = rest
    value, item_lines = _render_value(entries, style, item_indent)
    new_lines = [head + value + trailing + (eol if item_lines else line_eol)]
    for index, item in enumerate(item_lines):
        new_lines.append(item + (eol if index < len(item_lines) - 1 else line_eol))
    return "".join(lines[:first] + new_lines + lines[last + 1:])


def plan(text, entries, state="present", exclusive=False):
    """What the file should become: (new_text, before_entries, after_entries, added, removed).

    Raises WhitelistError for a bad entry or a file that cannot be edited safely.
    """
    problems = [problem for problem in (entry_problem(entry) for entry in entries) if problem]
    wanted = normalise_entries(entries)
    if problems:
        raise WhitelistError("invalid whitelist entr%s: %s" % ("y" if len(problems) == 1 else "ies", "; ".join(problems)))
    before = current_entries(text)
    if state == "absent":
        after = [entry for entry in before if entry not in wanted]
    elif exclusive:
        after = wanted
    else:
        after = normalise_entries(before + wanted)
    added = [entry for entry in after if entry not in before]
    removed = [entry for entry in before if entry not in after]
    if not added and not removed:
        return text, before, before, [], []
    return render(text, after), before, after, added, removed
