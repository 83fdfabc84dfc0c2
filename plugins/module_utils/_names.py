# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Index names the collection deletes or writes by: one concrete index, never an expression the server expands."""

from __future__ import annotations

# Characters Elasticsearch forbids in an index name (it also forbids ':' since 7.0, the cross-cluster separator).
FORBIDDEN_CHARACTERS = ('\\', '/', '*', '?', '"', '<', '>', '|', ' ', ',', '#', ':')
# Characters that make the server read a name as several indices (wildcards, lists, date math).
EXPANDING_CHARACTERS = ('*', '?', ',', '<', '>')
MAX_NAME_BYTES = 255


def index_name_problems(name, option="name"):
    """Why `name` is not the name of one concrete index, as Elasticsearch's rules and this collection want it.

    Returns a list of sentences naming the option (empty when the name is fine). Refused: wildcards, lists,
    date math, `_all` and `-name` exclusions (the server would expand them, so a delete could hit many
    indices), and what Elasticsearch refuses to create: upper case, the characters \\ / * ? " < > | , # : and
    space, `.` and `..`, a leading - _ or +, more than 255 bytes.
    """
    if not isinstance(name, str) or not name:
        return ["%s is empty; give the name of one index" % option]
    return [problem for check in _NAME_CHECKS for problem in [check(name, option)] if problem]


def _expanding_problem(name, option):
    expanding = sorted(set(char for char in name if char in EXPANDING_CHARACTERS))
    if expanding:
        return ("%s %r holds %s, which Elasticsearch expands to several indices (wildcards, lists, date math); "
                "give the name of one concrete index" % (option, name, " ".join(repr(char) for char in expanding)))
    return None


def _forbidden_problem(name, option):
    other = sorted(set(char for char in name if char in FORBIDDEN_CHARACTERS and char not in EXPANDING_CHARACTERS))
    if other:
        return ("%s %r holds %s, which index names cannot contain (none of \\ / * ? \" < > | , # : or space)"
                % (option, name, " ".join(repr(char) for char in other)))
    return None


def _start_problem(name, option):
    if name == "_all" or name.startswith(("-", "_", "+")):
        return ("%s %r starts with %r; index names cannot start with - _ or + (_all and -name are "
                "expressions matching several indices)" % (option, name, name[0]))
    return None


def _dots_problem(name, option):
    return "%s cannot be %r" % (option, name) if name in (".", "..") else None


def _case_problem(name, option):
    if name != name.lower():
        return ("%s %r has upper case letters; index names must be lower case, for example %r"
                % (option, name, name.lower()))
    return None


def _length_problem(name, option):
    size = len(name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        return "%s is %d bytes long; index names are at most %d bytes" % (option, size, MAX_NAME_BYTES)
    return None


_NAME_CHECKS = (_expanding_problem, _forbidden_problem, _start_problem, _dots_problem, _case_problem, _length_problem)
