# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure helpers for reindex-from-remote: remote URL checks, request body, response summary."""

from __future__ import annotations

import fnmatch
import json
import re
from urllib.parse import urlsplit

from ansible_collections.esops.migration.plugins.module_utils._names import index_name_problems
from ansible_collections.esops.migration.plugins.module_utils._urls import redact_url

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
    given_host = str(host or "").strip()
    if not given_host:
        return ["the remote host is empty; give the source URL, for example https://es-source.example.com:9200"]
    host = redact_url(given_host)  # every message below shows the host: never its password
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
    return url_part_problems(host, parts, port, carries_credentials=host != given_host)


def url_part_problems(host, parts, port, carries_credentials):
    """Problems with the parts of a remote URL that parsed (pure); host is the URL as shown (redacted)."""
    problems = []
    if parts.scheme not in ("http", "https"):
        problems.append("remote host %r must use http or https, not %r" % (host, parts.scheme))
    if not parts.hostname:
        problems.append("remote host %r has no host name" % host)
    if carries_credentials:
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


def supports_remote_api_key(version):
    """Whether a destination server of this version takes source.remote.api_key (added in 9.3)."""
    numbers = re.findall(r"\d+", str(version or ""))[:2]
    return len(numbers) == 2 and (int(numbers[0]), int(numbers[1])) >= (9, 3)


def controller_source_connection(remote, source=None):
    """How the module itself reaches the source: connection options and extra headers (pure).

    O(source) wins where it says something; what it leaves out comes from O(remote), which tells how the
    destination reaches the source: its host, credentials and headers (when O(source) has no credentials of its
    own), its ca_certs, and verify_certs (off when either turns it off).
    """
    source = dict(source or {})
    connection = dict(source, hosts=source.get("hosts") or [remote["host"]])
    headers = None
    if not any(source.get(name) for name in ("username", "api_key", "bearer_token")):
        for name in ("username", "password", "api_key"):
            connection[name] = remote.get(name)
        headers = remote.get("headers") or None
    connection["ca_certs"] = source.get("ca_certs") or remote.get("ca_certs")
    connection["verify_certs"] = source.get("verify_certs") is not False and remote.get("verify_certs") is not False
    return connection, headers


def remote_part(remote, api_key_in_body=False):
    """source.remote of the request: host, credentials, timeouts and headers that were given (pure).

    remote.api_key goes into source.remote.api_key when the destination has it (9.3+, api_key_in_body), and
    otherwise into an ``Authorization: ApiKey ...`` header, which every version forwards to the remote.
    """
    part = {"host": remote["host"].rstrip("/")}
    for key in ("username", "password", "socket_timeout", "connect_timeout", "headers"):
        if remote.get(key) not in (None, "", {}):
            part[key] = remote[key]
    if remote.get("api_key") and api_key_in_body:
        part["api_key"] = remote["api_key"]
    elif remote.get("api_key"):
        part["headers"] = dict(part.get("headers") or {}, Authorization="ApiKey " + remote["api_key"])
    return part


def write_mode_parts(mode):
    """(dest options, top-level options) that make the destination write as `mode` says (pure)."""
    if mode == "create":
        return {"op_type": "create"}, {"conflicts": "proceed"}
    if mode == "sync":
        return {"version_type": "external"}, {"conflicts": "proceed"}
    if mode == "overwrite":
        return {}, {}
    raise ValueError("mode must be one of %s, not %r" % (", ".join(WRITE_MODES), mode))


def body_write_mode(body):
    """The write mode a reindex body asks for: create, sync or overwrite (pure)."""
    dest = body.get("dest") or {}
    if dest.get("op_type") == "create":
        return "create"
    return "sync" if dest.get("version_type") == "external" else "overwrite"


def in_create_mode(body):
    """A copy of a reindex body that writes in mode create: only documents missing from the destination (pure)."""
    dest = {key: value for key, value in body["dest"].items() if key not in ("op_type", "version_type")}
    dest_options, top_level = write_mode_parts("create")
    return dict(body, dest=dict(dest, **dest_options), **top_level)


def given(**options):
    """The options that were given (neither None nor empty), for optional parts of a request body (pure)."""
    return {key: value for key, value in options.items() if value not in (None, "", [], {})}


def build_reindex_body(
    remote, source_index, dest_index, query=None, size=None, max_docs=None, source_includes=None, mode="create",
    api_key_in_body=False, script=None, pipeline=None, routing=None,
):
    """The body of POST _reindex for one copy: source (remote, index, query, size, _source), dest (index, write mode,
    pipeline, routing), conflicts, max_docs and script (pure)."""
    source = dict(remote=remote_part(remote, api_key_in_body), index=source_index,
                  **given(query=query, size=size, _source=list(source_includes or [])))
    dest_options, top_level = write_mode_parts(mode)
    dest = dict(index=dest_index, **dest_options, **given(pipeline=pipeline, routing=routing))
    return dict(source=source, dest=dest, **top_level, **given(max_docs=max_docs, script=given(**(script or {}))))


# --- Several mapping types (Elasticsearch 5.x), scripts and data streams ---------------------------------------

# How to copy an index with several mapping types, where ids may repeat across types and a later index has one type:
#   refuse:         fail before copying (copying it as is keeps one document per repeated id, silently);
#   index_per_type: one copy per type, each into its own index (dest_index with {type});
#   prefix_ids:     one copy per type into the same index, each id prefixed with its type and type_separator.
TYPE_STRATEGIES = ("refuse", "index_per_type", "prefix_ids")
# The script parameters the prefix_ids strategy passes; a painless script on the destination reads them, since
# later servers no longer give a document's type to scripts (ctx._type is null on OpenSearch 3).
TYPE_PARAM, SEPARATOR_PARAM = "esops_type", "esops_type_separator"
PREFIX_SOURCE = "ctx._id = params.%s + params.%s + ctx._id;" % (TYPE_PARAM, SEPARATOR_PARAM)


def type_clause(doc_type):
    """The source query clause selecting one mapping type (5.x/6.x index the _type field), or None (pure)."""
    return None if doc_type is None else {"term": {"_type": doc_type}}


def type_job_script(script, strategy, doc_type, separator):
    """The script of one copy: the user's, preceded by the id prefix of the prefix_ids strategy (pure)."""
    script = {key: value for key, value in (script or {}).items() if value is not None}
    if strategy != "prefix_ids" or doc_type is None:
        return script or None
    params = dict(script.get("params") or {}, **{TYPE_PARAM: doc_type, SEPARATOR_PARAM: separator})
    source = PREFIX_SOURCE + ("\n" + script["source"] if script.get("source") else "")
    return dict(script, source=source, lang="painless", params=params)


def script_problems(script, strategy, separator):
    """Why the script and mapping type options cannot work together (pure)."""
    script = script or {}
    params = script.get("params") or {}
    problems = []
    if script and not str(script.get("source") or "").strip():
        problems.append("script.source is empty; give the script's code, for example ctx._source.remove('old')")
    if TYPE_PARAM in params or SEPARATOR_PARAM in params:
        problems.append("script.params %s and %s are set by type_strategy prefix_ids; rename them"
                        % (TYPE_PARAM, SEPARATOR_PARAM))
    if strategy == "prefix_ids":
        problems += prefix_ids_problems(script, separator)
    return problems


def prefix_ids_problems(script, separator):
    problems = []
    if script.get("lang") not in (None, "painless"):
        problems.append("type_strategy prefix_ids prefixes ids with a painless script, so script.lang must be painless")
    if not separator:
        problems.append("type_separator is empty; ids of different types would still collide (tweet1 vs tweet + 1)")
    return problems


def multi_type_problem(types, source_name, strategy, dest_template):
    """Why indices with several mapping types ({index: [types]}) cannot be copied as asked, or None (pure)."""
    if not types:
        return None
    found = "; ".join("%s has %s" % (index, ", ".join(kinds)) for index, kinds in sorted(types.items()))
    if strategy == "refuse":
        return (
            "Source indices on %s hold several mapping types (%s). Copied as they are into one index of a later "
            "version, documents whose ids repeat across types overwrite each other and are lost. Nothing was copied; "
            "choose type_strategy index_per_type (with {type} in dest_index, for example {index}-{type}) or "
            "prefix_ids (ids become <type>#<id>; needs painless on the destination)." % (source_name, found))
    if strategy == "index_per_type" and "{type}" not in dest_template:
        return ("type_strategy index_per_type needs {type} in dest_index (for example {index}-{type}), so each type "
                "of %s gets its own index. Nothing was copied." % found)
    return None


def supports_data_streams(product, version):
    """Whether a destination of this product and version has data streams (Elasticsearch 7.9+, OpenSearch 1.0+)."""
    return product == "opensearch" or tuple(version) >= (7, 9, 0)


# Elasticsearch 9.5 refuses, up front, a reindex asking for op_type create with external versions
# (elastic/elasticsearch#145290, "Reject reindexes with wrong parameters"): the request fails with
# action_request_validation_exception "create operations do not support explicit versions". Earlier versions
# fail each document the same way.
REFUSES_CREATE_WITH_VERSIONS_FROM = (9, 5, 0)


def data_stream_problems(streams, mode, product, version):
    """Why the write mode cannot write into these data streams, or an empty list (pure).

    A data stream takes only op_type create; mode create sends that. overwrite sends index operations, and
    sync external versions, which create operations do not support.
    """
    if not streams or mode == "create":
        return []
    names = ", ".join(streams)
    if mode == "overwrite":
        return ["dest_index %s is a data stream, which accepts only op_type create; mode overwrite would fail on every "
                "document. Nothing was copied; use mode create" % names]
    refused = (" (%s refuses such a reindex before it starts)" % PRODUCT_LABEL.get(product, product)
               if product == "elasticsearch" and tuple(version) >= REFUSES_CREATE_WITH_VERSIONS_FROM else "")
    return ["dest_index %s is a data stream, which accepts only op_type create, and create operations do not support "
            "the external versions mode sync sends%s. Nothing was copied; use mode create (documents already in the "
            "data stream are left as they are)" % (names, refused)]


PRODUCT_LABEL = {"elasticsearch": "Elasticsearch 9.5 and later", "opensearch": "OpenSearch"}


def matching_template(templates, name):
    """The composable index template that applies to a new index or data stream `name` (highest priority), or None.

    templates: the index_templates list of GET _index_template ({name, index_template: {...}}).
    """
    best = None
    for entry in templates:
        template = entry.get("index_template") or {}
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in template.get("index_patterns") or []):
            if best is None or int(template.get("priority") or 0) > int(best.get("priority") or 0):
                best = template
    return best


def redact_body(body):
    """The request body with the remote password replaced, fit for results and logs."""
    shown = dict(body)
    source = dict(shown["source"])
    remote = dict(source["remote"])
    for secret in ("password", "api_key"):
        if secret in remote:
            remote[secret] = "********"
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


def cause_chain(error):
    """'type: reason' of an error object and of the errors that caused it, outermost first."""
    chain = []
    while isinstance(error, dict) and len(chain) < 5:
        if error.get("type") or error.get("reason"):
            chain.append("%s: %s" % (error.get("type", "error"), error.get("reason", "")))
        error = error.get("caused_by")
    return chain


def summarise_failures(failures, limit=3):
    """One line per failure, for the first `limit` of them, then how many more there are.

    Each line leads with the deepest cause, the server's real reason (a security_exception about auto_create
    may be caused by an index name holding a wildcard), and names the outer error after it.
    """
    lines = []
    for failure in failures[:limit]:
        cause = failure.get("cause") or failure.get("reason") or failure
        chain = cause_chain(cause) if isinstance(cause, dict) else [str(cause)]
        if not chain:
            chain = [str(cause)]
        text = chain[-1] + ("" if len(chain) == 1 else " (reported as %s)" % "; ".join(reversed(chain[:-1])))
        where = failure.get("id") or failure.get("index") or ""
        lines.append("%s%s" % ("[%s] " % where if where else "", text))
    if len(failures) > limit:
        lines.append("... and %d more" % (len(failures) - limit))
    return "; ".join(lines)


def remote_error_reason(error_text):
    """In words, what the remote cluster answered, from the JSON a reindex task's error quotes, or None.

    A failed read of the source is reported as ``status_exception: body={"error": {...}, "status": 404}``;
    this gives "the source cluster answered HTTP 404: index_not_found_exception: no such index [nope]".
    """
    text = error_text or ""
    start = text.find('{"error"')
    if start < 0:
        return None
    try:
        body = json.JSONDecoder().raw_decode(text[start:])[0]
    except ValueError:
        return None
    error = body.get("error")
    reason = "; caused by ".join(cause_chain(error)) if isinstance(error, dict) else str(error or "")
    if not reason:
        return None
    status = body.get("status")
    return "the source cluster answered %s%s" % ("HTTP %s: " % status if status else "", reason)


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
    link_hint = remote_link_hint(text, host)
    if link_hint:
        return link_hint
    # An Elasticsearch source answers 401 with JSON (status=401); a proxy in front of it with an HTML page,
    # which the server quotes as "status line [HTTP/1.1 401 Unauthorized]".
    if re.search(r"status=401|status line \[HTTP/\S+ 401", text) or (
        "security_exception" in text and "authenticat" in text
    ):
        return (
            "the source cluster refused the credentials: check remote.username and remote.password (or the API key "
            "in remote.headers Authorization)"
        )
    if re.search(r"status=403|status line \[HTTP/\S+ 403", text):
        return (
            "the remote user lacks privileges: reindex from remote first sends GET / to the source (action "
            "cluster:monitor/main), which needs the cluster privilege monitor, then reads the source indices, which "
            "needs read and view_index_metadata on them"
        )
    if re.search(r"PKIX path building failed|unable to find valid certification path|s_s_l_handshake_exception", text):
        return (
            "the destination nodes do not trust the source's TLS certificate: add the CA that signed it to "
            "reindex.ssl.certificate_authorities on every destination node (es_reindex_whitelist's ssl option) and "
            "restart them"
        )
    return None


# How the destination's HTTP client (Apache HttpAsyncClient) words a remote that did not answer in time: a read
# ("30,000 milliseconds timeout on connection http-outgoing-0 [ACTIVE]", a socket_timeout_exception) or a connect
# ("connect_exception: Timeout connecting to [/10.0.0.1:9200]" from a 7.17 node; ConnectTimeoutException elsewhere).
READ_TIMEOUT = re.compile(r"socket_timeout_exception|SocketTimeoutException|milliseconds timeout on connection")
CONNECT_TIMEOUT = re.compile(r"Timeout connecting to|connect_timeout_exception|ConnectTimeoutException|connect timed out")


def remote_link_hint(text, host):
    """What to do when the destination could not reach the remote, or it was slower than remote.socket_timeout or
    remote.connect_timeout; None for other errors."""
    if CONNECT_TIMEOUT.search(text):
        return ("the destination nodes could not connect to the source within remote.connect_timeout: check that "
                "they can reach it (a firewall that drops packets looks like this), or raise remote.connect_timeout "
                "when the link is that slow to connect")
    if READ_TIMEOUT.search(text):
        return ("the source did not answer within remote.socket_timeout: raise remote.socket_timeout (for example to "
                "5m) for a slow link or a busy source, or lower size so that each batch comes back sooner")
    if "connect_exception" in text or "Connection refused" in text or "UnknownHost" in text:
        return (
            "the destination nodes cannot connect to %s: check the remote host and port, that the source is running, "
            "and that the destination nodes can reach it (firewall, security groups)" % redact_url(host)
        )
    return None


HTML_BODY = re.compile(r"(?:body=)?<html>.*?</html>\s*", re.S | re.I)


def shorten_remote_error(error_text):
    """The task error without the HTML pages a proxy answered with (the status line says what happened)."""
    return HTML_BODY.sub("", error_text or "")


# --- Several indices and partitions -----------------------------------------------------------------------------

WILDCARD_CHARS = ("*", "?", ",")


def needs_resolution(source_indices):
    """Whether the source index names must be resolved on the source (several, wildcards or exclusions)."""
    return len(source_indices) > 1 or any(
        char in name for name in source_indices for char in WILDCARD_CHARS
    ) or any(name.startswith("-") for name in source_indices)


def rename_problems(rename_pattern, rename_replacement):
    """Why rename_pattern or rename_replacement cannot be used, or an empty list (pure)."""
    if not rename_pattern:
        return []
    try:
        compiled = re.compile(rename_pattern)
    except re.error as exc:
        return ["rename_pattern %r is not a valid regular expression (%s)" % (rename_pattern, exc)]
    try:
        compiled.sub(rename_replacement or "", "")  # the replacement template is checked even without a match
    except (re.error, IndexError) as exc:
        return ["rename_replacement %r does not fit rename_pattern %r (%s)" % (rename_replacement, rename_pattern, exc)]
    return []


def dest_template_problems(template):
    """Why the dest_index template cannot name a concrete index whatever {index} and {type} become (pure)."""
    return index_name_problems(template.replace("{index}", "index").replace("{type}", "type"), "dest_index")


def dest_name_problems(names):
    """Problems with destination names after {index} and the rename were applied, one per bad name (pure)."""
    problems = []
    for name in sorted(set(names)):
        problems += index_name_problems(name, "destination index")
    return problems


def dest_index_name(template, source_index, rename_pattern=None, rename_replacement=""):
    """Destination name for one source index: optional regex rename, then `{index}` in the template."""
    name = source_index
    if rename_pattern:
        name = re.sub(rename_pattern, rename_replacement or "", source_index)
    return template.replace("{index}", name)


DATE_TYPES = ("date", "date_nanos")
INTEGER_TYPES = ("long", "integer", "short", "byte", "unsigned_long")
FLOAT_TYPES = ("double", "float", "half_float", "scaled_float")


def partition_bounds(minimum, maximum, partitions, integral):
    """Inner boundaries splitting [minimum, maximum] into at most `partitions` ranges of equal width.

    The first range has no lower bound and the last none upper, so together the ranges hold every value
    of the field whatever min/max rounding the aggregation did; integral fields get integer boundaries
    (duplicates dropped, so a narrow range gives fewer partitions).
    """
    if partitions < 2 or minimum is None or maximum is None or maximum <= minimum:
        return []
    step = (maximum - minimum) / float(partitions)
    bounds = []
    for number in range(1, partitions):
        bound = minimum + number * step
        if integral:
            bound = int(round(bound))
        if bound > minimum and bound <= maximum and (not bounds or bound > bounds[-1]):
            bounds.append(bound)
    return bounds


def partition_clauses(field, field_type, bounds):
    """Query clauses whose union is exactly every document: one range per interval, and one for docs lacking the field.

    A document with several values in the field can match two ranges; the copy keeps its _id, so it is
    written once and counted as a version conflict (or rewritten with the same source) the second time.
    """
    extra = {"format": "epoch_millis"} if field_type in DATE_TYPES else {}
    edges = [None] + list(bounds) + [None]
    clauses = []
    for lower, upper in zip(edges[:-1], edges[1:]):
        interval = dict(extra)
        if lower is not None:
            interval["gte"] = lower
        if upper is not None:
            interval["lt"] = upper
        if lower is None and upper is None:
            clauses.append({"exists": {"field": field}})
        else:
            clauses.append({"range": {field: interval}})
    clauses.append({"bool": {"must_not": [{"exists": {"field": field}}]}})
    return clauses


def combine_queries(user_query, clause):
    """The user's query restricted to one partition clause."""
    if clause is None:
        return user_query
    filters = [user_query, clause] if user_query else [clause]
    return {"bool": {"filter": filters}}
