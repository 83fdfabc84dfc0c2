#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: es_reindex
short_description: Copy an index from a remote Elasticsearch cluster with reindex-from-remote
version_added: 0.1.0
description:
  - Sends C(POST _reindex) with C(source.remote) to the destination cluster (the connection options), which pulls
    the documents of O(source_index) from the remote cluster O(remote.host) into O(dest_index).
  - The copy runs as a task (C(wait_for_completion=false)); the module polls the Tasks API until it ends, and
    cancels it when O(wait_timeout) is exceeded.
  - By default (O(mode=create)) only documents missing from the destination are written, so a second run writes
    nothing and reports C(changed=false). See O(mode) for the other write modes.
  - Any entry in the response's C(failures) fails the task, with the first failures summarised.
  - The destination nodes must list the remote's C(host:port) in C(reindex.remote.whitelist)
    (see M(esops.migration.es_reindex_whitelist)); when they do not, the task fails naming the entry to add.
  - In check mode nothing is written; the module counts the matching source documents (connecting to
    O(remote.host) from where the module runs) and predicts C(changed) from the destination's count.
author:
  - esops.migration contributors (@esops)
extends_documentation_fragment:
  - esops.migration.connection
  - esops.migration.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  idempotent:
    support: full
    details: With O(mode=create) or O(mode=sync); O(mode=overwrite) rewrites every document on each run.
options:
  remote:
    description:
      - The source cluster, as the destination cluster reaches it (C(source.remote) of the request).
    type: dict
    required: true
    suboptions:
      host:
        description:
          - URL of the source cluster with scheme and port, for example V(http://10.0.0.1:9200).
        type: str
        required: true
      username:
        description: User on the source cluster.
        type: str
      password:
        description: Password of O(remote.username).
        type: str
      headers:
        description: Extra HTTP headers sent to the source, for example an C(Authorization) header.
        type: dict
      socket_timeout:
        description: Read timeout on the connection to the source (a time value such as V(30s) or V(1m)).
        type: str
        default: 30s
      connect_timeout:
        description: Connect timeout to the source (a time value).
        type: str
        default: 30s
      ca_certs:
        description:
          - Only used in check mode, when the module itself counts the source documents; the destination
            nodes use their C(reindex.ssl.*) settings.
        type: path
      verify_certs:
        description: Like O(remote.ca_certs), only for the check-mode count.
        type: bool
        default: true
  source_index:
    description: Index (or comma-separated indices, or pattern) to copy from the source.
    type: str
    required: true
  dest_index:
    description: Index to write into on the destination.
    type: str
    required: true
  query:
    description: Query selecting the source documents to copy (the C(query) object of the search API).
    type: dict
  size:
    description:
      - Number of documents per batch fetched from the source (default 1000 in Elasticsearch).
      - The remote's response buffer is limited to 100 MB; lower this for large documents.
    type: int
  max_docs:
    description: Copy at most this many documents.
    type: int
  source_includes:
    description: Copy only these fields of C(_source).
    type: list
    elements: str
  mode:
    description:
      - V(create) writes only documents missing from the destination (C(op_type=create), C(conflicts=proceed));
        existing ones are counted in RV(version_conflicts) and left as they are.
      - V(sync) also overwrites documents whose source C(_version) is higher (C(version_type=external),
        C(conflicts=proceed)).
      - V(overwrite) writes every source document again.
      - No mode propagates documents deleted on the source.
    type: str
    choices: [create, sync, overwrite]
    default: create
  wait_timeout:
    description: Seconds to wait for the copy to end; the task is cancelled after that and the module fails.
    type: int
    default: 3600
  poll_interval:
    description: Seconds between two looks at the task.
    type: float
    default: 2
  requests_per_second:
    description: Throttle of the copy, in documents per second (unlimited when not given).
    type: float
  refresh:
    description: Refresh the destination index at the end so that the copied documents are searchable.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Copy product_info from the source cluster (the guide's request)
  esops.migration.es_reindex:
    hosts: ["http://es-dest.example.com:9200"]
    username: elastic
    password: "{{ vault_dest_password }}"
    remote:
      host: http://es-source.example.com:9200
      username: elastic
      password: "{{ vault_source_password }}"
      socket_timeout: 1m
      connect_timeout: 10s
    source_index: product_info
    dest_index: product_info
    size: 1000
    query:
      match:
        productName: fixed
  register: copy

- name: Show what was copied
  ansible.builtin.debug:
    msg: "created={{ copy.created }} updated={{ copy.updated }} in {{ copy.took }} ms"
"""

RETURN = r"""
task_id:
  description: Id of the reindex task on the destination cluster.
  returned: when the copy ran
  type: str
total:
  description: Number of source documents the copy processed (in check mode, the matching source documents).
  returned: always
  type: int
created:
  description: Documents created in the destination.
  returned: always
  type: int
updated:
  description: Documents overwritten in the destination.
  returned: always
  type: int
deleted:
  description: Documents deleted (only by scripts; always 0 here).
  returned: always
  type: int
batches:
  description: Scroll batches pulled from the source.
  returned: always
  type: int
version_conflicts:
  description: Documents not written because the destination already had them (mode create) or a newer version.
  returned: always
  type: int
noops:
  description: Documents skipped as no-ops.
  returned: always
  type: int
failures:
  description: The response's failures (empty on success).
  returned: always
  type: list
  elements: dict
took:
  description: Milliseconds the copy took, as Elasticsearch measured it.
  returned: always
  type: int
docs_per_second:
  description: Documents processed per second of RV(took).
  returned: always
  type: float
dest_count:
  description: In check mode, the documents already in the destination index.
  returned: check mode
  type: int
"""

import time

from ansible_collections.esops.migration.plugins.module_utils._connection import ApiError, ElasticsearchModule, describe_error
from ansible_collections.esops.migration.plugins.module_utils._reindex import (
    WRITE_MODES,
    build_reindex_body,
    documents_written,
    not_whitelisted_hint,
    remote_error_hint,
    result_from_response,
    summarise_failures,
    validate_remote_host,
)

REMOTE_SPEC = dict(
    host=dict(type="str", required=True),
    username=dict(type="str"),
    password=dict(type="str", no_log=True),
    headers=dict(type="dict", no_log=True),
    socket_timeout=dict(type="str", default="30s"),
    connect_timeout=dict(type="str", default="30s"),
    ca_certs=dict(type="path"),
    verify_certs=dict(type="bool", default=True),
)

EMPTY_RESULT = dict(
    total=0, created=0, updated=0, deleted=0, batches=0, version_conflicts=0, noops=0, failures=[], took=0,
    docs_per_second=0.0,
)


def predict(module, body):
    """Check mode: count what would be copied, on the source directly, and what the destination holds."""
    params = module.params
    remote = params["remote"]
    source_client = module.connect(
        dict(hosts=[remote["host"]], username=remote.get("username"), password=remote.get("password"),
             ca_certs=remote.get("ca_certs"), verify_certs=remote.get("verify_certs"),
             request_timeout=params["request_timeout"], max_retries=params["max_retries"]),
        "source cluster",
    )
    query = body["source"].get("query")
    source_count = source_client.count(index=params["source_index"], query=query)["count"]
    if params["max_docs"]:
        source_count = min(source_count, params["max_docs"])
    client = module.client
    dest_count = 0
    if client.indices.exists(index=params["dest_index"]):
        dest_count = client.count(index=params["dest_index"])["count"]
    changed = source_count > 0 if params["mode"] == "overwrite" else source_count > dest_count
    result = dict(EMPTY_RESULT)
    result.update(changed=changed, total=source_count, dest_count=dest_count)
    return result


def start_copy(module, body):
    params = module.params
    try:
        response = module.client.reindex(
            wait_for_completion=False,
            refresh=params["refresh"],
            requests_per_second=params["requests_per_second"] or -1,
            **body
        )
    except ApiError as exc:
        hint = not_whitelisted_hint(str(exc.body) + " " + str(exc.message))
        if hint:
            module.fail_json(msg=hint, status=exc.meta.status, **EMPTY_RESULT)
        module.fail_on_error(exc, "Starting the reindex of %s" % params["source_index"], **EMPTY_RESULT)
    return response["task"]


def wait_for(module, task_id):
    """The finished task, polling; cancels it and fails when wait_timeout passes."""
    params = module.params
    client = module.client
    deadline = time.monotonic() + params["wait_timeout"]
    interval = min(0.25, params["poll_interval"])
    while True:
        task = client.tasks.get(task_id=task_id)
        if task.get("completed"):
            return task
        if time.monotonic() >= deadline:
            client.options(ignore_status=404).tasks.cancel(task_id=task_id)
            status = task.get("task", {}).get("status", {})
            module.fail_json(
                msg="The reindex task %s did not finish within %s seconds and was cancelled after copying %s of %s "
                "documents. Raise wait_timeout, or run again: mode %s resumes without rewriting what is there."
                % (task_id, params["wait_timeout"], status.get("created", 0) + status.get("updated", 0),
                   status.get("total", "?"), params["mode"]),
                task_id=task_id, **result_from_response(status)
            )
        time.sleep(interval)
        interval = min(interval * 2, params["poll_interval"])


def main():
    module = ElasticsearchModule(
        argument_spec=dict(
            remote=dict(type="dict", required=True, options=REMOTE_SPEC),
            source_index=dict(type="str", required=True),
            dest_index=dict(type="str", required=True),
            query=dict(type="dict"),
            size=dict(type="int"),
            max_docs=dict(type="int"),
            source_includes=dict(type="list", elements="str"),
            mode=dict(type="str", choices=list(WRITE_MODES), default="create"),
            wait_timeout=dict(type="int", default=3600),
            poll_interval=dict(type="float", default=2),
            requests_per_second=dict(type="float"),
            refresh=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    problems = validate_remote_host(params["remote"]["host"])
    for name in ("size", "max_docs", "wait_timeout"):
        if params[name] is not None and params[name] <= 0:
            problems.append("%s must be a positive number, not %s" % (name, params[name]))
    if problems:
        module.fail_json(msg="Invalid options: %s." % "; ".join(problems), **EMPTY_RESULT)
    body = build_reindex_body(
        params["remote"], params["source_index"], params["dest_index"], params["query"], params["size"],
        params["max_docs"], params["source_includes"], params["mode"],
    )
    try:
        if module.check_mode:
            module.exit_json(**predict(module, body))
        task_id = start_copy(module, body)
        task = wait_for(module, task_id)
    except Exception as exc:  # pylint: disable=broad-except  # every client error becomes a fail_json
        module.fail_on_error(exc, "Reindex of %s from %s" % (params["source_index"], params["remote"]["host"]),
                             **EMPTY_RESULT)

    if task.get("error"):
        error = describe_error(task["error"])
        whitelist_hint = not_whitelisted_hint(error)
        if whitelist_hint:
            module.fail_json(msg=whitelist_hint, task_id=task_id, **EMPTY_RESULT)
        hint = remote_error_hint(error, params["remote"]["host"])
        module.fail_json(
            msg="The reindex task %s failed: %s%s" % (task_id, error, (". Hint: " + hint) if hint else ""),
            task_id=task_id, **EMPTY_RESULT
        )
    result = result_from_response(task.get("response") or {})
    result["task_id"] = task_id
    result["changed"] = documents_written(result) > 0
    if result["failures"]:
        module.fail_json(
            msg="The reindex of %s into %s had %d failure(s): %s"
            % (params["source_index"], params["dest_index"], len(result["failures"]), summarise_failures(result["failures"])),
            **result
        )
    if result["timed_out"]:
        module.fail_json(msg="The reindex timed out on the destination cluster before it finished", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
