# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: node_log_error
short_description: The reason an Elasticsearch node gave in its log for failing, as one line
version_added: 0.1.0
author: esops.migration contributors (@esops)
description:
  - Takes the text of an Elasticsearch node's log (or the part written since a restart) and returns the reason of
    the last C(ERROR) or C(FATAL) entry, for example V(cannot configure trust using PEM certificates [...] because
    one or more files do not exist) or V(unknown setting [reindex.remote.whitelst] ...).
  - The reason is the exception message that follows the entry, without the names of the exception classes
    wrapping it and without the stack trace. Reads the plain text log (C(<cluster>.log)) and the JSON log lines of
    C(*_server.json) / 8.x C(*.json).
  - Returns an empty string when the text holds no error entry.
options:
  _input:
    description: Text of the log.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Why the node did not start
  ansible.builtin.debug:
    msg: "{{ node_log.stdout | esops.migration.node_log_error }}"
"""

RETURN = r"""
_value:
  description: The reason of the last error entry, or an empty string.
  type: str
"""

import json
import re

from ansible.errors import AnsibleFilterError

# [2026-11-26T10:13:33,776][ERROR][o.e.b.ElasticsearchUncaughtExceptionHandler] [node-0] uncaught exception ...
ENTRY_HEADER = re.compile(r"^\[[^\]]+\]\[(?P<level>[A-Z]+)\s*\]\[[^\]]*\]\s*(?:\[[^\]]*\]\s*)?(?P<message>.*)$")
# "org.elasticsearch.bootstrap.StartupException: java.lang.IllegalArgumentException: unknown setting [x]"
EXCEPTION_PREFIX = re.compile(r"^(?:[\w$]+\.)*[\w$]*(?:Exception|Error|Throwable):\s*")
ERROR_LEVELS = ("ERROR", "FATAL")
# Headers that only announce the exception printed on the next line.
ANNOUNCEMENTS = re.compile(r"^(exception|uncaught exception in thread \[[^\]]*\]|fatal exception while booting.*)$",
                           re.I)


def strip_exception_names(line):
    """The message of an exception line without the class names of the exceptions that wrap it."""
    text = line.strip()
    while True:
        shorter = EXCEPTION_PREFIX.sub("", text, count=1)
        if shorter == text:
            return text
        text = shorter


def json_entry_reason(line):
    """(level, reason) of one JSON log line, or None when the line is not a JSON log entry."""
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    if not isinstance(entry, dict):
        return None
    level = str(entry.get("log.level") or entry.get("level") or "").upper()
    reason = entry.get("error.message") or entry.get("message") or ""
    return level, strip_exception_names(str(reason))


def text_entry_reason(lines, start):
    """(level, reason) of the plain text entry whose header is lines[start]."""
    header = ENTRY_HEADER.match(lines[start])
    message = header.group("message").strip()
    if message and not ANNOUNCEMENTS.match(message):
        return header.group("level"), strip_exception_names(message)
    for line in lines[start + 1:]:
        if ENTRY_HEADER.match(line):
            break
        if line.strip() and not line.lstrip().startswith("at "):
            return header.group("level"), strip_exception_names(line)
    return header.group("level"), message


def node_log_error(text):
    if not isinstance(text, str):
        raise AnsibleFilterError("node_log_error: give the text of the node's log")
    lines = text.splitlines()
    reason = ""
    for number, line in enumerate(lines):
        if line.startswith("{"):
            found = json_entry_reason(line)
        elif ENTRY_HEADER.match(line):
            found = text_entry_reason(lines, number)
        else:
            continue
        if found and found[0] in ERROR_LEVELS and found[1]:
            reason = found[1]
    return reason


class FilterModule:
    def filters(self):
        return {"node_log_error": node_log_error}
