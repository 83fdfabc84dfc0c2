# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Problems a migration would meet on its source, found from read-only answers of the source cluster.

Each function takes the answers as Ansible's uri module registers them (status, json, msg) and returns the
problems as sentences that say what is wrong and how to fix it; no answer means nothing could be checked.
"""

from __future__ import annotations

# What the hints in the messages call the settings to fix: the role's variables, or es_preflight's options.
ROLE_NAMES = dict(
    source_url="remote_reindex_source_url",
    source_username="remote_reindex_source_username",
    source_password="remote_reindex_source_password",
    source_index="remote_reindex_indices[].source",
    dest_hosts="remote_reindex_dest_hosts",
    dest_username="remote_reindex_dest_username",
    dest_password="remote_reindex_dest_password",
    mode="remote_reindex_mode",
)
MODULE_NAMES = dict(
    source_url="source.hosts",
    source_username="source.username",
    source_password="source.password",
    source_index="indices[].source",
    dest_hosts="hosts",
    dest_username="username",
    dest_password="password",
    mode="mode",
)


def answered(response):
    """Whether the source answered with a usable HTTP status (not a connection error)."""
    return isinstance(response, dict) and isinstance(response.get("status"), int) and response["status"] > 0


def hint_names(names):
    """The names the hints give the settings to fix: the role's unless told otherwise."""
    return names or ROLE_NAMES


def root_problems(response, url, username, names=None):
    """Problems found by GET / with the migration's credentials."""
    names = hint_names(names)
    if not answered(response):
        return ["The source %s does not answer from the controller: %s. Check %s and that the source is running."
                % (url, (response or {}).get("msg", "no answer"), names["source_url"])]
    status = response["status"]
    if status == 401:
        return ["The source %s refused the credentials of user '%s' (HTTP 401): check %s and %s. The source indices "
                "could not be checked." % (url, username, names["source_username"], names["source_password"])]
    if status == 403:
        return ["User '%s' may not send GET / to the source %s (HTTP 403, action cluster:monitor/main), which every "
                "reindex from remote does first: give its role the cluster privilege monitor." % (username, url)]
    if status != 200:
        return ["The source %s answered GET / with HTTP %d." % (url, status)]
    return []


def disabled_source(mappings):
    """Whether an index's mappings (typeless, or with one mapping type as 6.x has) disable _source."""
    candidates = [mappings] + [value for value in mappings.values() if isinstance(value, dict)]
    return any((candidate.get("_source") or {}).get("enabled") is False for candidate in candidates)


def index_problems(pattern, response, names=None):
    """Problems found by GET <pattern>/_mapping on the source."""
    names = hint_names(names)
    if not answered(response) or response["status"] in (401, 403):
        return []  # reported by the credential or privilege checks
    if response["status"] == 404:
        return ["Source index '%s' does not exist on the source: check %s." % (pattern, names["source_index"])]
    if response["status"] != 200:
        return ["The source answered HTTP %d for the mappings of '%s'." % (response["status"], pattern)]
    indices = response.get("json") or {}
    if not indices:
        return ["Source index pattern '%s' matches no index on the source: check %s." % (pattern, names["source_index"])]
    return [
        "Source index '%s' has _source disabled: reindex copies documents from _source, so it cannot copy this index."
        % name
        for name, body in sorted(indices.items())
        if disabled_source((body or {}).get("mappings") or {})
    ]


def _missing_privileges(body):
    """'the cluster privilege X' and 'Y and Z on pattern' for what a _has_privileges answer says is not held."""
    missing = [
        "the cluster privilege %s" % privilege
        for privilege, held in sorted((body.get("cluster") or {}).items())
        if not held
    ]
    for pattern, privileges in sorted((body.get("index") or {}).items()):
        lacking = [privilege for privilege, held in sorted(privileges.items()) if not held]
        if lacking:
            missing.append("%s on '%s'" % (" and ".join(lacking), pattern))
    return missing


def privilege_problems(response, username):
    """Privileges the user lacks, from POST _security/user/_has_privileges (nothing when the API is unavailable)."""
    if not answered(response) or response["status"] != 200:
        return []  # no security, or a source without the API: the copy itself will tell
    missing = _missing_privileges(response.get("json") or {})
    if not missing:
        return []
    return ["User '%s' lacks %s on the source: reindex from remote needs the cluster privilege monitor and read and "
            "view_index_metadata on the source indices." % (username, "; ".join(missing))]


def source_problems(root, mappings, privileges, url, username, names=None):
    """Every problem found on the source; `mappings` is a list of (pattern, response)."""
    problems = root_problems(root, url, username, names)
    if problems and (root or {}).get("status") != 403:
        return problems
    lacking = privilege_problems(privileges, username)
    if lacking:
        problems = []  # the missing monitor privilege is named with the others
    for pattern, response in mappings:
        problems += index_problems(pattern, response, names)
    return problems + lacking


def source_problems_of(answers, url, username, names=None):
    """Every problem found on the source, from the answers as uri loops register them (or es_preflight returns
    them): root, mappings (one per index entry, the entry as item) and privileges."""
    patterns = [((result.get("item") or {}).get("source"), result) for result in answers.get("mappings") or []]
    return source_problems(answers.get("root"), patterns, answers.get("privileges"), url, username or "(none)",
                           names)
