# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Problems a migration would meet on its source, found from read-only answers of the source cluster.

Each function takes the answers as Ansible's uri module registers them (status, json, msg) and returns the
problems as sentences that say what is wrong and how to fix it; no answer means nothing could be checked.
"""

from __future__ import annotations


def answered(response):
    """Whether the source answered with a usable HTTP status (not a connection error)."""
    return isinstance(response, dict) and isinstance(response.get("status"), int) and response["status"] > 0


def root_problems(response, url, username):
    """Problems found by GET / with the migration's credentials."""
    if not answered(response):
        return ["The source %s does not answer from the controller: %s. Check remote_reindex_source_url and that the "
                "source is running." % (url, (response or {}).get("msg", "no answer"))]
    status = response["status"]
    if status == 401:
        return ["The source %s refused the credentials of user '%s' (HTTP 401): check remote_reindex_source_username "
                "and remote_reindex_source_password. The source indices could not be checked." % (url, username)]
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


def index_problems(pattern, response):
    """Problems found by GET <pattern>/_mapping on the source."""
    if not answered(response) or response["status"] in (401, 403):
        return []  # reported by the credential or privilege checks
    if response["status"] == 404:
        return ["Source index '%s' does not exist on the source: check remote_reindex_indices[].source." % pattern]
    if response["status"] != 200:
        return ["The source answered HTTP %d for the mappings of '%s'." % (response["status"], pattern)]
    indices = response.get("json") or {}
    if not indices:
        return ["Source index pattern '%s' matches no index on the source: check remote_reindex_indices[].source."
                % pattern]
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


def source_problems(root, mappings, privileges, url, username):
    """Every problem found on the source; `mappings` is a list of (pattern, response)."""
    problems = root_problems(root, url, username)
    if problems and (root or {}).get("status") != 403:
        return problems
    lacking = privilege_problems(privileges, username)
    if lacking:
        problems = []  # the missing monitor privilege is named with the others
    for pattern, response in mappings:
        problems += index_problems(pattern, response)
    return problems + lacking
