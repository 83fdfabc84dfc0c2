# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The read-only questions a migration asks its source and its destination before it changes anything (I/O).

Each answer has the shape Ansible's uri module registers (status, json, msg), which the pure checks of _preflight
and _dest_preflight and the role's filters take: status 200 and the body, the HTTP status and the server's error
body, or status -1 and msg when the cluster was not reached. A question that is not asked answers {}; the answers
asked once per index are lists with the index's entry as `item`, as a uri loop registers them.
"""

from __future__ import annotations

from ansible_collections.esops.migration.plugins.module_utils._cluster import ClusterError, path
from ansible_collections.esops.migration.plugins.module_utils._dest_preflight import entry_dest

FS_FILTER = "nodes.*.name,nodes.*.roles,nodes.*.fs.total"
DISK_FILTER = "*.cluster.routing.allocation.disk"
NODE_SETTINGS_FILTER = "nodes.*.name,nodes.*.settings.reindex*"
SOURCE_PRIVILEGES = dict(cluster=["monitor"], index=["read", "view_index_metadata"])


def refusal(error):
    """The answer for a request that failed (ClusterError): its HTTP status, or -1 when nothing answered."""
    answer = dict(status=error.status if error.status is not None else -1, msg=error.message)
    if isinstance(error.body, dict):
        answer["json"] = error.body
    return answer


def ask(cluster, method, url, params=None, body=None):
    """One answer: status 200 and the body, or the refusal."""
    try:
        return dict(status=200, json=cluster.request(method, url, params, body))
    except ClusterError as error:
        return refusal(error)


def ask_exists(cluster, url):
    """HEAD url as an answer: 200 when it exists, 404 when not, or the refusal."""
    try:
        return dict(status=200 if cluster.exists(url) else 404)
    except ClusterError as error:
        return refusal(error)


def per_index(indices, question, asked=True):
    """The answers to `question(entry)` for each index entry, each with the entry as item ({} when not asked)."""
    return [dict(question(entry) if asked else {}, item=entry) for entry in indices]


def count_body(entry):
    return {"query": entry["query"]} if entry.get("query") is not None else {}


def source_answers(cluster, root, indices, username):
    """What the source answers with the migration's credentials: root (GET /, given), and per index its mappings,
    primary store stats and document count, and privileges (POST _security/user/_has_privileges with a user)."""
    status = root.get("status")
    readable, known = status in (200, 403), status == 200
    privileges = {}
    if readable and username:
        privileges = ask(cluster, "POST", "/_security/user/_has_privileges", body=dict(
            cluster=SOURCE_PRIVILEGES["cluster"],
            index=[dict(names=[entry["source"] for entry in indices], privileges=SOURCE_PRIVILEGES["index"])]))
    return dict(
        root=root,
        mappings=per_index(indices, lambda entry: ask(cluster, "GET", path(entry["source"], "_mapping")), readable),
        privileges=privileges,
        stats=per_index(indices, lambda entry: ask(cluster, "GET", path(entry["source"], "_stats", "store")), known),
        counts=per_index(indices, lambda entry: ask(cluster, "POST", path(entry["source"], "_count"),
                                                    body=count_body(entry)), known),
    )


def dest_answers(cluster, root, indices, mode):
    """What the destination answers with its credentials: root (GET /, given), its nodes' disks, its disk watermarks,
    the remote hosts setting each node loaded, whether each destination exists, and (in modes other than create,
    where a data stream refuses the copy) its data streams, index templates and aliases."""
    known = root.get("status") == 200
    streams_matter = known and mode != "create"
    return dict(
        root=root,
        fs=ask(cluster, "GET", "/_nodes/stats/fs", dict(filter_path=FS_FILTER)) if known else {},
        disk_settings=ask(cluster, "GET", "/_cluster/settings",
                          dict(include_defaults="true", filter_path=DISK_FILTER)) if known else {},
        streams=ask(cluster, "GET", "/_data_stream") if streams_matter else {},
        templates=ask(cluster, "GET", "/_index_template") if streams_matter else {},
        exists=per_index(indices, lambda entry: ask_exists(cluster, path(entry_dest(entry))), known),
        aliases=per_index(indices, lambda entry: ask(cluster, "GET", path("_alias", entry_dest(entry))),
                          streams_matter),
        nodes_settings=ask(cluster, "GET", "/_nodes/settings",
                           dict(flat_settings="true", filter_path=NODE_SETTINGS_FILTER)) if known else {},
    )
