# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure helpers for reindex-from-remote: remote URL checks, request body, response summary."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Write modes and what each makes the destination do with a document that already exists there.
#   create:    op_type=create, conflicts=proceed -> existing documents are left alone (counted as
#              version_conflicts); only missing documents are written.
#   sync:      version_type=external, conflicts=proceed -> a document is written when it is missing or
#              the source's _version is higher than the destination's.
#   overwrite: plain index requests -> every source document is written again.
WRITE_MODES = ("create", "sync", "overwrite")

# The entry may itself hold brackets: "[[::1]:9200] not whitelisted in reindex.remote.whitelist".
NOT_WHITELISTED = re.compile(r"\[((?:\[[^\]]*\])?[^\[\]\s]*)\] not whitelisted in reindex\.remote\.whitelist")


def validate_remote_host(host):
    """Problems with a remote URL as Elasticsearch wants it: scheme://host:port[/path_prefix]."""
    if not host or not str(host).strip():
        return ["the remote host is empty; give the source URL, for example https://es-source.example.com:9200"]
    host = str(host).strip()
    if "://" not in host:
        return [
            "remote host %r has no scheme; Elasticsearch needs [scheme]://[host]:[port], for example http://%s"
            % (host, host if ":" in host else host + ":9200")
        ]
    try:
        parts = urlsplit(host)
        port = parts.port
    except ValueError as exc:
        return ["remote host %r is not a valid URL (%s)" % (host, exc)]
    problems = []
    if parts.scheme not in ("http", "https"):
        problems.append("remote host %r must use http or https, not %r" % (host, parts.scheme))
    if not parts.hostname:
        problems.append("remote host %r has no host name" % host)
    if parts.username or parts.password:
        problems.append("remote host %r carries credentials; give them as remote.username/password instead" % host)
    elif port is None and parts.hostname:
        problems.append(
            "remote host %r has no port; Elasticsearch needs [scheme]://[host]:[port], for example %s://%s:9200"
            % (host, parts.scheme, parts.netloc)
        )
    if parts.query or parts.fragment:
        problems.append("remote host %r must not have a query string or fragment" % host)
    return problems


def whitelist_entry(host):
    """The host:port string Elasticsearch matches against reindex.remote.whitelist (IPv6 in brackets)."""
    # netloc keeps the host as written: Elasticsearch matches it case-sensitively, and IPv6 keeps its brackets.
    return urlsplit(str(host).strip()).netloc.rpartition("@")[2]


def build_reindex_body(
    remote, source_index, dest_index, query=None, size=None, max_docs=None, source_includes=None, mode="create"
):
    """Keyword arguments of Elasticsearch.reindex() (source, dest, conflicts, max_docs) for one copy."""
    remote_part = {"host": remote["host"].rstrip("/")}
    for key in ("username", "password", "socket_timeout", "connect_timeout", "headers"):
        if remote.get(key) not in (None, "", {}):
            remote_part[key] = remote[key]
    source = {"remote": remote_part, "index": source_index}
    if query:
        source["query"] = query
    if size:
        source["size"] = size
    if source_includes:
        source["_source"] = list(source_includes)
    dest = {"index": dest_index}
    body = {"source": source, "dest": dest}
    if mode == "create":
        dest["op_type"] = "create"
        body["conflicts"] = "proceed"
    elif mode == "sync":
        dest["version_type"] = "external"
        body["conflicts"] = "proceed"
    elif mode != "overwrite":
        raise ValueError("mode must be one of %s, not %r" % (", ".join(WRITE_MODES), mode))
    if max_docs:
        body["max_docs"] = max_docs
    return body


def redact_body(body):
    """The request body with the remote password replaced, fit for results and logs."""
    shown = dict(body)
    source = dict(shown["source"])
    remote = dict(source["remote"])
    if "password" in remote:
        remote["password"] = "********"
    if "headers" in remote:
        remote["headers"] = {name: "********" for name in remote["headers"]}
    source["remote"] = remote
    shown["source"] = source
    return shown


COUNTERS = ("total", "created", "updated", "deleted", "batches", "version_conflicts", "noops")


def result_from_response(response):
    """Counters, failures and speed from a _reindex response (or a finished task's response)."""
    result = {key: int(response.get(key) or 0) for key in COUNTERS}
    result["failures"] = list(response.get("failures") or [])
    result["took"] = int(response.get("took") or 0)
    result["timed_out"] = bool(response.get("timed_out"))
    processed = result["created"] + result["updated"] + result["deleted"] + result["noops"]
    processed += result["version_conflicts"]
    seconds = result["took"] / 1000.0
    result["docs_per_second"] = round(processed / seconds, 1) if seconds > 0 else 0.0
    return result


def documents_written(result):
    return result["created"] + result["updated"] + result["deleted"]


def summarise_failures(failures, limit=3):
    """One line per failure, for the first `limit` of them, then how many more there are."""
    lines = []
    for failure in failures[:limit]:
        cause = failure.get("cause") or failure.get("reason") or failure
        if isinstance(cause, dict):
            text = "%s: %s" % (cause.get("type", "error"), cause.get("reason", ""))
        else:
            text = str(cause)
        where = failure.get("id") or failure.get("index") or ""
        lines.append("%s%s" % ("[%s] " % where if where else "", text))
    if len(failures) > limit:
        lines.append("... and %d more" % (len(failures) - limit))
    return "; ".join(lines)


def not_whitelisted_hint(message):
    """When Elasticsearch refused the remote as not whitelisted, the message telling what to add."""
    match = NOT_WHITELISTED.search(message or "")
    if not match:
        return None
    entry = match.group(1)
    return (
        "The destination cluster refuses to reindex from %s: add '%s' to reindex.remote.whitelist in "
        "elasticsearch.yml on every destination node and restart them (esops.migration.es_reindex_whitelist and "
        "the remote_reindex role do both)." % (entry, entry)
    )


def remote_error_hint(error_text, host):
    """What to do about an error the reindex task met while talking to the remote cluster, or None."""
    text = error_text or ""
    if "connect_exception" in text or "Connection refused" in text or "UnknownHost" in text:
        return (
            "the destination nodes cannot connect to %s: check the remote host and port, that the source is running, "
            "and that the destination nodes can reach it (firewall, security groups)" % host
        )
    if "status=401" in text or ("security_exception" in text and "authenticat" in text):
        return "the source cluster refused the credentials: check remote.username and remote.password"
    if "status=403" in text:
        return "the remote user lacks privileges: it needs read and view_index_metadata on the source index"
    return None
