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
    cancels it when O(wait_timeout) is exceeded (unless O(cancel_on_timeout=false)). With O(wait=false) it returns
    the task ids at once; M(esops.migration.es_reindex_task) inspects, waits for, rethrottles or cancels them later.
  - A rerun while a task doing the same copy (same remote, source index, query and destination) is still running,
    for example after the controller died or a timeout with O(cancel_on_timeout=false), follows that task instead
    of starting a second copy (RV(reattached)).
  - Elasticsearch 9.5+ moves a reindex to another node when its node shuts down, under a new id. The module
    follows the new id when the Tasks API answers with it, and a task that handed over or that the cluster no
    longer knows is looked for again by its description (for 20 seconds); when no running task does the same
    copy, the copy is reported as lost, a failure, never as a success.
  - Several indices (a list, or patterns resolved on the source) are copied by one task each, O(max_concurrent)
    at a time, into destinations named by O(dest_index) (with V({index})) and O(rename_pattern).
  - One large index can be split with O(partitions) and O(partition_field). Remote reindex cannot slice, so the
    module splits the source into ranges of the field (from its min and max) plus the documents lacking it,
    and runs them as concurrent tasks whose union is exactly the source.
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
  - esops.migration.connection.reindex_source
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
      api_key:
        description:
          - API key for the source cluster (the base64 C(id:api_key) encoding, as Elasticsearch returns it in
            C(encoded)), instead of O(remote.username) and O(remote.password).
          - Sent as C(source.remote.api_key) to destinations that have it (Elasticsearch 9.3 and later), and as an
            C(Authorization) header before that.
        type: str
        version_added: 0.2.0
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
          - Used only when the module itself reaches the source (see O(source)), when O(source.ca_certs) is not
            given; the destination nodes use their C(reindex.ssl.*) settings.
        type: path
      verify_certs:
        description: Like O(remote.ca_certs), only when the module itself reaches the source.
        type: bool
        default: true
  source_index:
    description:
      - Index to copy from the source, or several (a list, or comma-separated), or patterns such as V(logs-*).
      - Several indices or patterns are resolved on the source (open indices only; the module connects to
        O(remote.host) itself for that) and each index is copied by its own task.
    type: list
    elements: str
    required: true
  dest_index:
    description:
      - Index to write into on the destination. V({index}) is replaced by the source index name (after
        O(rename_pattern)), so V({index}) keeps the names, V(restored-{index}) adds a prefix and V({index}-v2) a suffix.
      - Without V({index}), every source index is copied into this one index.
      - V({type}) is replaced by the mapping type with O(type_strategy=index_per_type).
      - A data stream can be the destination (see O(mode)).
    type: str
    default: "{index}"
  rename_pattern:
    description:
      - Regular expression (Python syntax) applied to each source index name before it replaces V({index}) in
        O(dest_index), with O(rename_replacement); for example V(^logs-(.*)) with V(archive-\\1).
    type: str
    version_added: 0.2.0
  rename_replacement:
    description: Replacement for O(rename_pattern) (V(\\1) refers to the first group).
    type: str
    version_added: 0.2.0
    default: ""
  query:
    description: Query selecting the source documents to copy (the C(query) object of the search API).
    type: dict
  size:
    description:
      - Number of documents per batch fetched from the source, or V(auto). It is a number of documents, not
        megabytes. Elasticsearch's own default is 1000 (give V(1000) to keep it).
      - When not given, the module chooses as with V(auto), silently falling back to the server's default when it
        cannot read the source's statistics. Each batch pays the link's round trip, so through a latency the larger
        batches pay (bench/results/network.md in the repository - 200000 documents, 25 ms one-way latency - V(auto)
        copied 2.4 times as fast as batches of 1000), and at no latency they cost nothing measurable.
      - The remote's response buffer is limited to 100 MB; lower this for large documents, or use V(auto).
      - V(auto) chooses it per source index from the source's average document size (primary store size divided
        by the primary documents, from the source's C(_stats)) so that a batch holds about 10 MB, a tenth of the
        buffer - C(10485760 / average bytes), clamped between 1 and 10000. The module reads the statistics itself
        (see O(source)); when it cannot (no C(monitor) privilege on the index, source unreachable), the server's
        default is used with a warning.
      - A copy that fails with C(Remote responded with a chunk that was too large) runs again at once with half the
        batch size, up to 7 times (C(halved_from) in RV(copies)), in mode create - it writes only what is missing.
    type: raw
  max_docs:
    description: Copy at most this many documents (only for a single copy, without partitions).
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
      - A data stream destination (an existing one, or one that an index template with C(data_stream) creates) takes
        only V(create); V(overwrite) and V(sync) are refused before anything is copied (data streams take only
        C(op_type=create), which refuses external versions; Elasticsearch 9.5 and later refuse such a reindex).
    type: str
    choices: [create, sync, overwrite]
    default: create
  script:
    description:
      - A script run on the destination for every document before it is written (C(script) of the request), for
        example to rename fields (V(ctx._source.name = ctx._source.remove('title'))), drop fields, or change
        C(ctx._id) or C(ctx._routing).
      - Painless scripts need the lang-painless module on the destination (OpenSearch and Elasticsearch
        distributions ship it; minimal assemblies may not).
    type: dict
    version_added: 0.2.0
    suboptions:
      source:
        description: The script's code.
        type: str
        required: true
      lang:
        description: The script language.
        type: str
        default: painless
      params:
        description: Parameters the script reads as C(params.<name>).
        type: dict
  pipeline:
    description:
      - Ingest pipeline of the destination that every copied document goes through (C(dest.pipeline)).
      - The pipeline must exist on the destination; its processors need the ingest modules there.
    type: str
    version_added: 0.2.0
  routing:
    description:
      - Routing of the written documents (C(dest.routing)) - V(keep) (the source routing, the server's default),
        V(discard), or V(=value) to route every document with that value.
    type: str
    version_added: 0.2.0
  type_strategy:
    description:
      - How to copy source indices with several mapping types (Elasticsearch 5.x and indices created there). Ids
        may repeat across types, and an index of a later version has one type, so copying such an index as it is
        keeps one document per repeated id and loses the others.
      - V(refuse) fails before copying anything when a source index has several types. The module connects to the
        source itself to tell (see O(source)); when it cannot reach the source it warns and copies.
      - V(index_per_type) copies each type into its own index; O(dest_index) must hold V({type}), for example
        V({index}-{type}). Each copy selects its type with a query on C(_type).
      - V(prefix_ids) copies every type into one index with ids prefixed by the type and O(type_separator)
        (V(tweet#1)), with a painless script on the destination (which must have lang-painless).
      - Indices with one type are copied as usual whatever this option says.
      - Into an Elasticsearch 6.x destination, every document is written under the one mapping type of the
        destination index (C(dest.type); V(_doc) for an index the copy creates), since a 6.x index takes one type.
    type: str
    choices: [refuse, index_per_type, prefix_ids]
    default: refuse
    version_added: 0.2.0
  type_separator:
    description: What separates the type from the id with O(type_strategy=prefix_ids).
    type: str
    default: "#"
    version_added: 0.2.0
  partitions:
    description:
      - Split each source index into this many ranges of O(partition_field), copied by concurrent tasks
        (O(max_concurrent) at a time), plus one task for the documents that lack the field.
      - The ranges come from the field's minimum and maximum among the documents matching O(query); the first
        has no lower bound and the last no upper bound, so every value is in exactly one range.
      - A document with several values in the field can fall in two ranges; it keeps its C(_id), so it is written
        once and counted as a version conflict the second time.
    type: int
    version_added: 0.2.0
    default: 1
  partition_field:
    description: Numeric or date field (indexed) to split the source on; required when O(partitions) is above 1.
    type: str
    version_added: 0.2.0
  max_concurrent:
    description:
      - Tasks (indices or partitions) running at once on the destination when O(wait=true).
      - With O(wait=false) every task is started at once.
    type: int
    version_added: 0.2.0
    default: 2
  spread_tasks:
    description:
      - A reindex task runs on the destination node that received its request. With several tasks (indices or
        partitions) and several destination nodes, send task i to node i mod the number of nodes, so that the copies
        spread over the destination cluster instead of all running on the first of O(hosts).
      - The nodes are O(dest_nodes), or else the destination's nodes that publish an HTTP address (C(GET
        _nodes/http); master-only nodes are left out when there are others). A node the module cannot reach at that
        address gets its task through O(hosts) (C(node_fallback) in RV(copies)). Without the C(monitor) cluster
        privilege, the nodes cannot be listed and every task goes through O(hosts), with a warning.
      - C(node) in RV(copies), and RV(nodes), tell which node ran which task.
    type: bool
    default: true
    version_added: 0.2.0
  dest_nodes:
    description:
      - URLs of the destination nodes to start the tasks on with O(spread_tasks), when the module reaches them under
        other addresses than the ones they publish (for example through one port forward or load balancer entry per
        node). Same credentials and TLS options as O(hosts).
    type: list
    elements: str
    version_added: 0.2.0
  wait:
    description:
      - Wait for the copy to end. With V(false) the module starts the tasks (or finds them running) and returns
        their ids in RV(task_ids) at once; follow them with M(esops.migration.es_reindex_task).
    type: bool
    version_added: 0.2.0
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the copy to end. After that the module fails saying how far each task got, and
        cancels the tasks unless O(cancel_on_timeout=false).
    type: int
    default: 3600
    aliases: [timeout]
  cancel_on_timeout:
    description:
      - Cancel the tasks when O(wait_timeout) passes. With V(false) they keep running and a rerun follows them
        instead of starting new ones.
    type: bool
    version_added: 0.2.0
    default: true
  retries:
    description:
      - Times a copy (one index, or one partition) runs again when its task failed because the link to the remote
        broke (connection reset, refused, closed or timed out), because the remote answered 503 (its shards not
        available, a source node starting again or recovering), or was lost (its node left). Retries start once every
        copy of the round has ended (a broken link usually fails them all at once, and one back-off then serves
        them all); the copies that ended well are not redone.
      - A retry runs in mode create (C(op_type=create), C(conflicts=proceed)) whatever O(mode) says, so the
        documents the failed attempt already wrote are skipped as version conflicts instead of being written a
        second time. With O(mode=sync) or O(mode=overwrite), documents the destination held before the copy and
        the failed attempt had not reached are therefore left as they are; with a live source, the catch-up
        rounds of O(since) (mode sync) bring the updates.
      - Other failures (whitelist, credentials, documents the destination rejects) are not retried.
      - RV(retried) lists each retry, why, after what back-off and in which mode. Needs O(wait=true).
    type: int
    default: 0
    version_added: 0.2.0
  retry_delay:
    description:
      - Seconds to wait before the first retry (see O(retries)); the wait doubles before each further one. No retry
        starts when the wait would pass O(wait_timeout).
    type: float
    default: 10
    version_added: 0.2.0
  poll_interval:
    description: Seconds between two looks at the task.
    type: float
    default: 2
  requests_per_second:
    description:
      - Throttle of the copy, in documents per second (unlimited when not given or V(0)).
      - When the module follows a task that is already running, it rethrottles that task to this value.
    type: float
  refresh:
    description: Refresh the destination index at the end so that the copied documents are searchable.
    type: bool
    default: true
  tune_dest:
    description:
      - For the duration of the copy, set C(number_of_replicas=0) and C(refresh_interval=-1) on the destination
        indices that exist before it starts, and put their previous values back afterwards, also when the copy
        fails or times out. Needs O(wait=true).
      - Replicas are rebuilt after the copy, so the cluster is yellow until they are allocated again.
    type: bool
    version_added: 0.2.0
    default: false
  since:
    description:
      - Make this run a catch-up round that copies only the source documents whose O(since.field) is at or above a
        point, for an index that keeps taking writes while it is copied. The copy's query becomes O(query) AND a
        C(range) on the field.
      - Before the copy starts, the module reads the maximum of the field on the source (among the documents
        matching O(query)), the new high-water mark. Documents written during the copy are above it or within the
        overlap, so the next round catches them. After a successful copy the mark is stored in the destination
        index's mapping C(_meta), under C(esops_migration.high_water_marks) (one entry per source index and field).
        A mark never goes down.
      - Use O(mode=sync) so that documents updated on the source since the previous round overwrite their older
        copy (newer source versions win); with O(mode=create) only documents missing from the destination arrive.
      - Deletions are not copied (no write mode propagates them); M(esops.migration.es_mirror_deletes) removes from
        the destination what the source no longer has.
      - Check mode counts the source documents the round would copy (RV(total)) and reports the marks.
    type: dict
    version_added: 0.2.0
    suboptions:
      field:
        description:
          - An indexed date or numeric field that every write sets or raises, such as an C(updated_at) timestamp
            set by the application, or a sequence number.
        type: str
        required: true
      value:
        description:
          - Where the round starts. V(auto) starts at the mark the previous round stored on the destination minus
            O(since.overlap); without a stored mark (the first round), everything is copied.
          - Otherwise a date (V(2026-11-26T10:00:00Z), or date math such as V(now-1h), read by the field's format on
            the source) or a number (epoch milliseconds for a date field). No overlap is taken off such a value.
          - V(auto) needs O(wait=true) and cannot be combined with O(max_docs).
        type: raw
        required: true
      overlap:
        description:
          - With O(since.value=auto), how far below the stored mark the round starts, so that documents that were
            not yet searchable when the mark was read (refresh interval, V(1s) by default), or that a writer with a
            clock behind stamped lower, are still copied. Documents in the overlap that were already copied are
            not written again (counted in RV(version_conflicts)).
          - A time value for a date field (default V(1m)); a number in the field's own units for a numeric field
            (default V(0)).
        type: str
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

- name: Copy every logs-2024* index into archive-* names, two tasks at a time
  esops.migration.es_reindex:
    hosts: ["http://es-dest.example.com:9200"]
    remote:
      host: http://es-source.example.com:9200
    source_index: "logs-2024*"
    dest_index: "{index}"
    rename_pattern: "^logs-(.*)"
    rename_replacement: 'archive-\1'
    max_concurrent: 2

- name: Copy one large index as 4 ranges of its price field, with replicas and refresh off meanwhile
  esops.migration.es_reindex:
    hosts: ["http://es-dest.example.com:9200"]
    remote:
      host: http://es-source.example.com:9200
      headers:
        Authorization: "ApiKey {{ vault_source_api_key }}"
    source_index: product_info
    partitions: 4
    partition_field: price
    max_concurrent: 4
    tune_dest: true

- name: Copy a 5.x index with the types tweet and user into tweets-tweet and tweets-user
  esops.migration.es_reindex:
    hosts: ["http://es-dest.example.com:9200"]
    remote:
      host: http://es5-source.example.com:9200
    source_index: tweets
    dest_index: "{index}-{type}"
    type_strategy: index_per_type

- name: Rename a field with a painless script and run an ingest pipeline of the destination on every document
  esops.migration.es_reindex:
    hosts: ["http://es-dest.example.com:9200"]
    remote:
      host: http://es-source.example.com:9200
    source_index: product_info
    script:
      source: "ctx._source.name = ctx._source.remove(params.old)"
      params:
        old: productName
    pipeline: add-migrated-at

- name: Catch up with what the live source received since the previous round (run again until few changes remain)
  esops.migration.es_reindex:
    hosts: ["http://es-dest.example.com:9200"]
    remote:
      host: http://es-source.example.com:9200
    source_index: orders
    mode: sync
    since:
      field: updated_at
      value: auto
      overlap: 2m
  register: round

- name: Show how much the round carried
  ansible.builtin.debug:
    msg: "{{ round.catch_up.copied }} changes in {{ round.catch_up.seconds }} s, mark {{ round.catch_up.high_water_mark_as_string }}"

- name: Start the copy and come back for it
  esops.migration.es_reindex:
    hosts: ["http://es-dest.example.com:9200"]
    remote:
      host: http://es-source.example.com:9200
    source_index: product_info
    wait: false
  register: started

- name: Show progress until the copy ends
  esops.migration.es_reindex_task:
    hosts: ["http://es-dest.example.com:9200"]
    task_id: "{{ started.task_ids }}"
  register: progress
  until: progress.completed
  retries: 360
  delay: 10
"""

RETURN = r"""
task_id:
  description: Id of the (first) reindex task on the destination cluster.
  returned: when the copy ran
  type: str
task_ids:
  description: Ids of every reindex task of the copy, one per index and partition.
  returned: when the copy ran
  type: list
  elements: str
reattached:
  description: Whether the module followed a task that was already running instead of starting one.
  returned: when the copy ran
  type: bool
copies:
  description:
    - One entry per task, with C(source_index), C(dest_index), C(partition) (the range clause or null), C(task_id),
      C(reattached), C(state) (done, running, failed, lost, cancelled, timed_out), C(error), C(processed), C(total),
      C(created), C(updated), C(version_conflicts), C(failures) (a count), C(took), C(progress) (the samples of
      that task, as RV(progress) has them), and C(relocated_from) when the task was found again under a new id.
    - C(node_id), the node running the task (the Tasks API's C(node)), C(node), its name when known, and
      C(started_on), the address its request was sent to (null - O(hosts) - when the tasks were not spread); with
      C(node_fallback) when that node could not be reached and O(hosts) started it. Version added 0.2.0.
    - C(size), the batch size of the last attempt; C(halved_from), the batch sizes that were too large for the
      destination's buffer (each followed by an attempt with half of it); C(size_auto) with O(size=auto), the
      source index's C(docs), C(store_bytes), C(average_doc_bytes) and the C(size) chosen from them. Version added 0.2.0.
    - In check mode, one entry per source index with C(total) and C(dest_count).
  returned: always
  type: list
  elements: dict
retried:
  description:
    - With O(retries), one entry per copy that was run again - C(source_index), C(dest_index), C(partition) and
      C(attempts), the failed attempts with C(task_id), C(state) (failed or lost), C(error), C(processed),
      C(reason) (why the copy ran again), C(back_off) (seconds waited before it), C(mode) (the attempt's write
      mode) and C(retry_mode) (the next attempt's, always create).
  returned: always
  type: list
  elements: dict
  version_added: 0.2.0
nodes:
  description:
    - The tasks each destination node ran, by node name (node id when the name is not known).
  returned: when the copy ran
  type: dict
  sample: {"dest-0": ["Xh3C...:1234"], "dest-1": ["9dKq...:877"]}
  version_added: 0.2.0
tuned:
  description: With O(tune_dest), the settings of each destination index before and during the copy.
  returned: when tune_dest changed settings
  type: dict
requests:
  description: In check mode with O(partitions), the requests that would be sent (passwords and headers masked).
  returned: check mode with partitions
  type: list
  elements: dict
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
  description:
    - Milliseconds the copy took, as Elasticsearch measured it for a single task; for several tasks, the wall
      time from the first start to the last end.
  returned: always
  type: int
docs_per_second:
  description: Documents processed per second of RV(took).
  returned: always
  type: float
progress:
  description:
    - How the copy went over time, for a chart of documents per second. Each look at the tasks while following
      them (every O(poll_interval) at most, sooner at the start) adds a sample with C(seconds), the seconds since
      the module began the copy, and C(documents), the documents processed by then (created, updated, deleted,
      version conflicts and no-ops, as the task's status counts them); the last sample is the final figure.
    - The sum over every task of the copy (each task's samples are in RV(copies)). A copy starts at 0 documents;
      a task that was already running (RV(reattached)) starts at what it had done when the module found it.
    - At most 60 samples, thinned evenly (every other one dropped, the first and last kept) on long copies.
    - With O(wait=false), only the start (0 documents) of the tasks it started; empty in check mode.
  returned: always
  type: list
  elements: dict
  version_added: 0.2.0
  sample: [{"seconds": 0.0, "documents": 0}, {"seconds": 0.5, "documents": 1200}, {"seconds": 1.3, "documents": 3000}]
dest_count:
  description: In check mode, the documents already in the destination indices.
  returned: check mode
  type: int
catch_up:
  description:
    - With O(since), the round's figures.
    - C(field); C(matched), the source documents in the range (RV(total)); C(copied), the documents the round wrote
      (created and updated; 0 in check mode); C(seconds), how long the round took (0 in check mode).
    - C(high_water_mark) and C(high_water_mark_as_string), the new mark of the first copy (epoch milliseconds for a
      date field).
    - C(marks), one entry per copy with C(source_index), C(dest_index), C(field), C(previous) (the stored mark read
      at the start, or null), C(from) (the range's lower bound, or null when everything was copied),
      C(high_water_mark), C(high_water_mark_as_string), and C(stored) (whether the mark was written to the
      destination's C(_meta); not in check mode).
  returned: when since is given and the copy succeeded, and in check mode
  type: dict
  sample:
    field: updated_at
    matched: 120
    copied: 87
    seconds: 2.41
    high_water_mark: 1795687200123
    high_water_mark_as_string: "2026-11-26T10:00:00.123Z"
    marks:
      - source_index: orders
        dest_index: orders
        field: updated_at
        previous: 1795687100000
        from: 1795687040000
        high_water_mark: 1795687200123
        high_water_mark_as_string: "2026-11-26T10:00:00.123Z"
        stored: true
"""

import time

from ansible_collections.esops.migration.plugins.module_utils._cluster import (
    ELASTICSEARCH,
    ClusterError,
    path,
)
from ansible_collections.esops.migration.plugins.module_utils._batch_size import (
    AUTO,
    auto_size_entry,
    parse_size,
    size_problems,
)
from ansible_collections.esops.migration.plugins.module_utils._catch_up import (
    advance_mark,
    lower_bound,
    mark_as_string,
    mark_from_max,
    mark_kind,
    meta_with_mark,
    overlap_kind_problem,
    previous_mark,
    since_clause,
    since_problems,
)
from ansible_collections.esops.migration.plugins.module_utils._compatibility import pair_problem
from ansible_collections.esops.migration.plugins.module_utils._connection import (
    ElasticsearchModule,
    describe_api_error,
    source_connection_spec,
)
from ansible_collections.esops.migration.plugins.module_utils._nodes import (
    given_nodes,
    http_nodes,
    round_robin,
    scheme_of,
    task_node_id,
)
from ansible_collections.esops.migration.plugins.module_utils._reindex import (
    COUNTERS,
    DATE_TYPES,
    FLOAT_TYPES,
    INTEGER_TYPES,
    TYPE_STRATEGIES,
    WRITE_MODES,
    build_reindex_body,
    combine_queries,
    controller_source_connection,
    data_stream_problems,
    dest_index_name,
    dest_name_problems,
    dest_template_problems,
    documents_written,
    matching_template,
    multi_type_problem,
    needs_resolution,
    partition_bounds,
    partition_clauses,
    redact_body,
    rename_problems,
    script_problems,
    summarise_failures,
    supports_data_streams,
    supports_remote_api_key,
    type_clause,
    type_job_script,
    validate_remote_host,
)
from ansible_collections.esops.migration.plugins.module_utils._progress import merged_progress
from ansible_collections.esops.migration.plugins.module_utils._reindex_tasks import CopyJob, CopyRunner, task_progress
from ansible_collections.esops.migration.plugins.module_utils._urls import redact_url

REMOTE_SPEC = dict(
    host=dict(type="str", required=True),
    username=dict(type="str"),
    password=dict(type="str", no_log=True),
    api_key=dict(type="str", no_log=True),
    headers=dict(type="dict", no_log=True),
    socket_timeout=dict(type="str", default="30s"),
    connect_timeout=dict(type="str", default="30s"),
    ca_certs=dict(type="path"),
    verify_certs=dict(type="bool", default=True),
)
SCRIPT_SPEC = dict(
    source=dict(type="str", required=True),
    lang=dict(type="str", default="painless"),
    params=dict(type="dict"),
)
SINCE_SPEC = dict(
    field=dict(type="str", required=True),
    value=dict(type="raw", required=True),
    overlap=dict(type="str"),
)
ARGUMENT_SPEC = dict(
    remote=dict(type="dict", required=True, options=REMOTE_SPEC),
    source=dict(type="dict", options=source_connection_spec()),
    source_index=dict(type="list", elements="str", required=True),
    dest_index=dict(type="str", default="{index}"),
    rename_pattern=dict(type="str"),
    rename_replacement=dict(type="str", default=""),
    query=dict(type="dict"),
    size=dict(type="raw"),
    max_docs=dict(type="int"),
    source_includes=dict(type="list", elements="str"),
    mode=dict(type="str", choices=list(WRITE_MODES), default="create"),
    script=dict(type="dict", options=SCRIPT_SPEC),
    pipeline=dict(type="str"),
    routing=dict(type="str"),
    type_strategy=dict(type="str", choices=list(TYPE_STRATEGIES), default="refuse"),
    type_separator=dict(type="str", default="#"),
    partitions=dict(type="int", default=1),
    partition_field=dict(type="str"),
    max_concurrent=dict(type="int", default=2),
    spread_tasks=dict(type="bool", default=True),
    dest_nodes=dict(type="list", elements="str"),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=3600, aliases=["timeout"]),
    cancel_on_timeout=dict(type="bool", default=True),
    retries=dict(type="int", default=0),
    retry_delay=dict(type="float", default=10),
    poll_interval=dict(type="float", default=2),
    requests_per_second=dict(type="float"),
    refresh=dict(type="bool", default=True),
    tune_dest=dict(type="bool", default=False),
    since=dict(type="dict", options=SINCE_SPEC),
)

EMPTY_RESULT = dict(
    total=0, created=0, updated=0, deleted=0, batches=0, version_conflicts=0, noops=0, failures=[], took=0,
    docs_per_second=0.0, copies=[], retried=[], progress=[],
)
# Statuses of a destination that cannot tell about data streams (no module, no privilege, no API): none there.
NO_ANSWER = (400, 403, 404, 405)
# Settings tune_dest changes for the duration of the copy, and the value it sets.
TUNED_SETTINGS = {"index.number_of_replicas": "0", "index.refresh_interval": "-1"}


def source_client(module):
    """The source cluster as the module itself reaches it (resolving indices, partitions, check mode)."""
    connection, headers = controller_source_connection(module.params["remote"], module.params["source"])
    return module.connect(connection, "source cluster", headers)


def source_client_if_reachable(module):
    """The source cluster, or None with a warning when the module cannot reach it (only the mapping type check
    needs it then; the destination may reach the source where the module cannot)."""
    connection, headers = controller_source_connection(module.params["remote"], module.params["source"])
    source, why_not = module.try_connect(connection, headers)
    if source is None:
        module.warn("Could not check whether the source indices hold several mapping types (Elasticsearch 5.x), "
                    "since the module cannot reach the source (%s); give the source option when the destination "
                    "reaches it under another address." % why_not)
    return source


def needs_source(params):
    """Whether the plan must ask the source itself: several indices, partitions, a mapping type strategy, or a
    catch-up round (which reads the field's maximum there)."""
    return (needs_resolution(params["source_index"]) or params["partitions"] > 1
            or params["type_strategy"] != "refuse" or bool(params["since"]))


def resolve_source_indices(module, source):
    names = module.params["source_index"]
    if not needs_resolution(names):
        return names
    found = source.request("GET", path("_cat", "indices", ",".join(names)),
                           dict(h="index", format="json", expand_wildcards="open"))
    indices = sorted(row["index"] for row in found)
    if not indices:
        module.fail_json(msg="No open index on the source cluster matches source_index %s." % ", ".join(names),
                         **EMPTY_RESULT)
    return indices


def range_field_type(module, source, index, field, option):
    """The mapping type of `field` in source `index`, failing unless it is one indexed numeric or date field."""
    caps = source.request("GET", path(index, "_field_caps"), {"fields": field})["fields"].get(field) or {}
    kinds = [kind for kind in caps if kind not in ("unmapped",)]
    usable = DATE_TYPES + INTEGER_TYPES + FLOAT_TYPES
    if len(kinds) != 1 or kinds[0] not in usable:
        found = ", ".join(kinds) or "none (not mapped)"
        module.fail_json(
            msg="%s %r of source index %s has type %s; it must be one numeric or date field that can be ranged on "
            "(%s)." % (option, field, index, found, ", ".join(usable)),
            **EMPTY_RESULT
        )
    if not caps[kinds[0]].get("searchable", True):
        module.fail_json(msg="%s %r of %s is not indexed, so it cannot be ranged on." % (option, field, index),
                         **EMPTY_RESULT)
    return kinds[0]


def partitions_of(module, source, index, query):
    """Query clauses splitting the documents of `index` matching `query` into ranges of partition_field (plus
    documents lacking it)."""
    params = module.params
    if params["partitions"] < 2:
        return [None]
    field = params["partition_field"]
    kind = range_field_type(module, source, index, field, "partition_field")
    body = dict(size=0, aggs={"low": {"min": {"field": field}}, "high": {"max": {"field": field}}})
    if query:
        body["query"] = query
    stats = source.search(index, body)["aggregations"]
    bounds = partition_bounds(stats["low"]["value"], stats["high"]["value"], params["partitions"],
                              integral=kind not in FLOAT_TYPES)
    return partition_clauses(field, kind, bounds)


def types_to_split(module, source, indices):
    """{index: [mapping types]} for the source indices copied one type at a time (a strategy was chosen and the
    index has several types); fails, before any copy, for such an index when type_strategy is refuse."""
    if source is None:
        return {}
    types = {}
    for index in indices:
        found = source.mapping_types(index)
        types.update({name: kinds for name, kinds in found.items() if len(kinds) > 1})
    problem = multi_type_problem(types, source.name, module.params["type_strategy"], module.params["dest_index"])
    if problem:
        module.fail_json(msg=problem, **EMPTY_RESULT)
    return types


def dest_name(params, index, doc_type=None):
    name = dest_index_name(params["dest_index"], index, params["rename_pattern"], params["rename_replacement"])
    return name.replace("{type}", doc_type or "")


def check_dest_names(module, copies):
    """Fail, before any copy starts, when a source index would be written into a name that is not one index."""
    problems = dest_name_problems([dest_name(module.params, index, doc_type) for index, doc_type in copies])
    if problems:
        module.fail_json(msg="Invalid destination: %s. Nothing was copied; change dest_index or rename_pattern."
                         % "; ".join(problems), **EMPTY_RESULT)


def refuse_impossible_pair(module, source, destination):
    """Fail before any copy when the destination cannot reindex from this source (known when it was reached)."""
    problem = pair_problem(source.product, source.version, destination.product, destination.version)
    if problem:
        module.fail_json(msg="%s Nothing was copied." % problem, **EMPTY_RESULT)


def is_data_stream(cluster, name):
    """Whether writing to `name` on the destination writes to a data stream (an existing one, or one an index
    template with data_stream creates on the first write)."""
    if not supports_data_streams(cluster.product, cluster.version):
        return False
    # 400/405: a server without the data streams module (the 7.17 assembly of the tests has none)
    found = cluster.request("GET", path("_data_stream", name), ignore=NO_ANSWER) or {}
    if found.get("data_streams"):
        return True
    if cluster.exists(path(name)):
        return False
    templates = cluster.request("GET", "/_index_template", ignore=NO_ANSWER) or {}
    template = matching_template(templates.get("index_templates") or [], name)
    return template is not None and "data_stream" in template


def check_data_streams(module, dest_names):
    """Fail, before any copy, when a data stream destination cannot take the chosen write mode."""
    cluster = module.cluster
    streams = sorted(name for name in set(dest_names) if is_data_stream(cluster, name))
    problems = data_stream_problems(streams, module.params["mode"], cluster.product, cluster.version)
    if problems:
        module.fail_json(msg="; ".join(problems) + ".", **EMPTY_RESULT)
    return streams


def copies_of(module, source, indices):
    """(source index, mapping type or None) for every copy to make."""
    split = types_to_split(module, source, indices)
    copies = [(index, doc_type) for index in indices for doc_type in split.get(index) or [None]]
    check_dest_names(module, copies)
    return copies


def job_body(module, index, doc_type, query, api_key_in_body, size=None):
    params = module.params
    return build_reindex_body(
        params["remote"], index, dest_name(params, index, doc_type), query, size, params["max_docs"],
        params["source_includes"], params["mode"], api_key_in_body,
        script=type_job_script(params["script"], params["type_strategy"], doc_type, params["type_separator"]),
        pipeline=params["pipeline"], routing=params["routing"],
    )


def read_previous_mark(cluster, dest, source_index, field, kind):
    """The high-water mark a previous round stored on the destination, or None (no destination, no mark)."""
    if not cluster.exists(path(dest)):
        return None
    return previous_mark(cluster.mappings(dest), source_index, field, kind)


def catch_up_plan(module, source, index, doc_type):
    """Where one copy's catch-up round starts and the mark it stores afterwards (the field's maximum on the source,
    read now, before the copy, so that what is written during the copy is caught by the next round); None without
    since."""
    since = module.params["since"]
    if not since:
        return None
    field = since["field"]
    kind = mark_kind(range_field_type(module, source, index, field, "since.field"))
    problem = overlap_kind_problem(field, kind, since["overlap"])
    if problem:
        module.fail_json(msg="Invalid options: %s. Nothing was copied." % problem, **EMPTY_RESULT)
    dest = dest_name(module.params, index, doc_type)
    previous = read_previous_mark(module.cluster, dest, index, field, kind)
    bound = lower_bound(kind, since["value"], previous, since["overlap"])
    body = dict(size=0, aggs={"mark": {"max": {"field": field}}})
    selected = combine_queries(module.params["query"], type_clause(doc_type))
    if selected:
        body["query"] = selected
    observed = mark_from_max(kind, source.search(index, body)["aggregations"]["mark"])
    mark = advance_mark(previous, observed)
    return {"source_index": index, "dest_index": dest, "field": field, "kind": kind, "previous": previous,
            "from": bound, "high_water_mark": mark, "high_water_mark_as_string": mark_as_string(kind, mark),
            "clause": since_clause(field, kind, bound)}


def copy_query(params, doc_type, plan):
    """The query of one copy: the user's, restricted to one mapping type and to the catch-up range."""
    query = combine_queries(params["query"], type_clause(doc_type))
    return combine_queries(query, plan["clause"] if plan else None)


def plan_jobs(module):
    """One CopyJob per source index (and per mapping type and partition of it), and the catch-up plans."""
    params = module.params
    source = source_client(module) if needs_source(params) else source_client_if_reachable(module)
    destination = module.cluster
    if source is not None:
        refuse_impossible_pair(module, source, destination)
    indices = resolve_source_indices(module, source)
    copies = copies_of(module, source, indices)
    check_data_streams(module, [dest_name(params, index, doc_type) for index, doc_type in copies])
    api_key_in_body = bool(params["remote"].get("api_key")) and destination.product == ELASTICSEARCH and \
        supports_remote_api_key(destination.version)
    jobs, plans = [], []
    dest_types = {}
    sizes = batch_sizes(module, source, indices)
    for index, doc_type in copies:
        plan = catch_up_plan(module, source, index, doc_type)
        plans += [plan] if plan else []
        query = copy_query(params, doc_type, plan)
        size, size_auto = sizes[index]
        for clause in partitions_of(module, source, index, query):
            body = job_body(module, index, doc_type, combine_queries(query, clause), api_key_in_body, size)
            set_dest_type(destination, body["dest"], dest_types)
            jobs.append(CopyJob(index, body["dest"]["index"], body, partition=clause))
            jobs[-1].size_auto = size_auto
    return jobs, plans


def batch_sizes(module, source, indices):
    """{source index: (documents per batch or None for the server's default, what size auto saw or None)}.
    Without the size option the module chooses as with size auto, without the warnings when it cannot."""
    asked = parse_size(module.params["size"])
    size = AUTO if asked is None else asked
    if size != AUTO:
        return {index: (size, None) for index in indices}
    warn = module.warn if asked == AUTO else (lambda message: None)
    if source is None:
        warn("size auto: the module cannot reach the source to read its _stats, so the server's default "
             "batch size (1000 documents) is used; give the source option, or a number in size.")
        return {index: (None, None) for index in indices}
    return {index: auto_size_of(warn, source, index) for index in indices}


def auto_size_of(warn, source, index):
    """(documents per batch, what it was computed from) for one source index with size auto; the server's default
    (and a call to warn) when the source's _stats cannot be read."""
    try:
        stats = source.request("GET", path(index, "_stats", "docs,store"))
    except ClusterError as exc:
        warn("size auto: reading %s/_stats on the source failed (%s; the user needs the monitor privilege on "
             "the index), so the server's default batch size (1000 documents) is used for it."
             % (index, describe_api_error(exc.status, exc.body, exc.message) if exc.status else exc.message))
        return None, None
    entry = auto_size_entry(stats, index)
    return entry["size"], entry


def predicted_change(params, plan, source_count, dest_count):
    """Check mode: whether the copy would write (a catch-up round: documents in range and a mark that moves)."""
    if plan:
        return source_count > 0 and (plan["previous"] is None or plan["high_water_mark"] != plan["previous"])
    if params["mode"] == "overwrite":
        return source_count > 0
    return source_count > dest_count


def set_dest_type(destination, dest, known):
    """On an Elasticsearch 6.x destination, write into the mapping type its index has (or _doc for a new one).

    Reindex keeps each document's source type unless dest.type says otherwise, and a 6.x index takes one type:
    documents of a 5.x type (tweet) are refused ("the final mapping would have more than 1 type: [_doc, tweet]").
    """
    if destination.product != ELASTICSEARCH or destination.version >= (7, 0, 0):
        return
    name = dest["index"]
    if name not in known:
        types = destination.mapping_types(name) if destination.exists(path(name)) else {}
        found = sorted({kind for kinds in types.values() for kind in kinds})
        known[name] = found[0] if len(found) == 1 else "_doc"
    dest["type"] = known[name]


def predict(module):
    """Check mode: count what would be copied, on the source directly, and what the destinations hold."""
    params = module.params
    source = source_client(module)
    cluster = module.cluster
    refuse_impossible_pair(module, source, cluster)
    result = dict(EMPTY_RESULT, dest_count=0)
    changed = False
    copies = copies_of(module, source, resolve_source_indices(module, source))
    check_data_streams(module, [dest_name(params, index, doc_type) for index, doc_type in copies])
    plans = []
    for index, doc_type in copies:
        dest = dest_name(params, index, doc_type)
        plan = catch_up_plan(module, source, index, doc_type)
        plans += [plan] if plan else []
        source_count = source.count(index, copy_query(params, doc_type, plan))
        if params["max_docs"]:
            source_count = min(source_count, params["max_docs"])
        dest_count = cluster.count(dest) if cluster.exists(path(dest)) else 0
        result["total"] += source_count
        result["dest_count"] += dest_count
        result["copies"].append(dict(source_index=index, dest_index=dest, total=source_count, dest_count=dest_count))
        changed = changed or predicted_change(params, plan, source_count, dest_count)
    if params["partitions"] > 1:
        result["requests"] = [redact_body(job.body) for job in plan_jobs(module)[0]]
    if plans:
        result["catch_up"] = catch_up_result(plans, result, 0.0)
    result["changed"] = changed
    return result


def catch_up_result(plans, result, seconds):
    """The catch_up part of the result: the round's figures and each copy's marks."""
    marks = [{key: value for key, value in plan.items() if key not in ("clause", "kind")} for plan in plans]
    return dict(field=plans[0]["field"], matched=result["total"], copied=result["created"] + result["updated"],
                seconds=round(seconds, 3), high_water_mark=plans[0]["high_water_mark"],
                high_water_mark_as_string=plans[0]["high_water_mark_as_string"], marks=marks)


def store_mark(cluster, plan):
    """Put the round's mark into the _meta of every index behind the destination; whether anything changed."""
    if plan["high_water_mark"] is None or plan["high_water_mark"] == plan["previous"]:
        return False
    entry = dict(source_index=plan["source_index"], field=plan["field"], kind=plan["kind"],
                 mark=plan["high_water_mark"], mark_as_string=plan["high_water_mark_as_string"])
    params = {} if cluster.version >= (7, 0, 0) else {"include_type_name": "false"}
    for index, mapping in sorted(cluster.mappings(plan["dest_index"]).items()):
        meta = meta_with_mark(mapping.get("_meta"), entry)
        cluster.request("PUT", path(index, "_mapping"), params, {"_meta": meta})
    return True


def finish_catch_up(module, plans, result, started):
    """After a successful copy, store each copy's new mark on its destination; the catch_up result."""
    stored = []
    for plan in plans:
        if not module.cluster.exists(path(plan["dest_index"])):
            stored.append(False)
            continue
        stored.append(store_mark(module.cluster, plan))
    result["changed"] = result["changed"] or any(stored)
    summary = catch_up_result(plans, result, time.monotonic() - started)
    for mark, was_stored in zip(summary["marks"], stored):
        mark["stored"] = was_stored
    return summary


def tune_destinations(module, dest_indices):
    """Set TUNED_SETTINGS on the existing destination indices; returns their previous values (None = unset)."""
    cluster = module.cluster
    previous = {}
    for index in sorted(set(dest_indices)):
        if not cluster.exists(path(index)):
            module.warn("tune_dest: %s does not exist before the copy, so its settings are left as the copy creates "
                        "them; create it first with esops.migration.es_index." % index)
            continue
        current = cluster.request("GET", path(index, "_settings"), dict(flat_settings=True))[index]["settings"]
        previous[index] = {name: current.get(name) for name in TUNED_SETTINGS}
        cluster.request("PUT", path(index, "_settings"), body=dict(TUNED_SETTINGS))
    return previous


def restore_destinations(module, previous):
    """Put back what tune_destinations changed; returns the problems met (every index is tried)."""
    problems = []
    for index, settings in previous.items():
        try:
            module.cluster.request("PUT", path(index, "_settings"), body=settings)
        except Exception as exc:  # pylint: disable=broad-except  # keep restoring the other indices
            problems.append("%s: %s" % (index, exc))
    return problems


def speed(jobs, wall_seconds, result):
    """took and docs_per_second: the server's figures for one task, the wall time for several."""
    if len(jobs) == 1:
        return jobs[0].result["took"], jobs[0].result["docs_per_second"]
    processed = task_progress(result)[0]
    return int(wall_seconds * 1000), round(processed / wall_seconds, 1) if wall_seconds > 0 else 0.0


def progress_of(jobs):
    """The samples of the whole copy: the documents of every task added up at each look."""
    return merged_progress([job.progress.points for job in jobs])


def aggregate(jobs, wall_seconds):
    result = dict(EMPTY_RESULT)
    for key in COUNTERS:
        result[key] = sum(job.result[key] for job in jobs)
    result["failures"] = [failure for job in jobs for failure in job.result["failures"]][:100]
    result["timed_out"] = any(job.result["timed_out"] for job in jobs)
    result["took"], result["docs_per_second"] = speed(jobs, wall_seconds, result)
    result["copies"] = [job.summary() for job in jobs]
    result["progress"] = progress_of(jobs)
    result["task_ids"] = [job.task_id for job in jobs if job.task_id]
    result["task_id"] = result["task_ids"][0] if result["task_ids"] else None
    result["reattached"] = any(job.reattached for job in jobs)
    result["retried"] = retried_copies(jobs)
    return result


def retried_copies(jobs):
    """The copies that were run again, each with its failed attempts."""
    return [dict(source_index=job.source_index, dest_index=job.dest_index, partition=job.partition,
                 attempts=list(job.retried)) for job in jobs if job.retried]


def job_problem(params, job, several):
    """What went wrong with one copy, in words, or None."""
    where = job.source_index if job.partition is None else "%s (partition %s)" % (job.source_index, job.partition)
    if job.state == "timed_out":
        summary = job.summary()
        return "the copy of %s did not finish within %s seconds and %s after processing %s of %s documents" % (
            where, params["wait_timeout"], "was cancelled" if params["cancel_on_timeout"] else "is still running",
            summary["processed"], summary["total"] or "?")
    if job.result["failures"]:
        return "the copy of %s into %s had %d failure(s): %s" % (
            where, job.dest_index, len(job.result["failures"]), summarise_failures(job.result["failures"]))
    if job.result["timed_out"]:
        return "the copy of %s timed out on the destination cluster before it finished" % where
    if job.state in ("failed", "lost", "cancelled") and job.error:
        return "%s: %s" % (where, job.error) if several else job.error
    return None


def failure_message(module, jobs):
    params = module.params
    problems = [problem for problem in (job_problem(params, job, len(jobs) > 1) for job in jobs) if problem]
    if not problems:
        return None
    message = "; ".join(problems[:5]) + ("; and %d more" % (len(problems) - 5) if len(problems) > 5 else "")
    if any(job.state == "timed_out" for job in jobs):
        message += (". Raise wait_timeout, or run again: a rerun %s, and mode %s does not rewrite what is there"
                    % ("follows tasks still running" if not params["cancel_on_timeout"] else "resumes", params["mode"]))
    return message[0].upper() + message[1:]


def credential_problems(remote):
    problems = validate_remote_host(remote["host"])
    headers = {name.lower() for name in (remote.get("headers") or {})}
    if remote.get("api_key") and (remote.get("username") or "authorization" in headers):
        problems.append("give the source's credentials once: remote.api_key, remote.username/password or an "
                        "Authorization header in remote.headers")
    return problems


def number_problems(params):
    problems = ["%s must be a positive number, not %s" % (name, params[name])
                for name in ("max_docs", "wait_timeout", "partitions", "max_concurrent")
                if params[name] is not None and params[name] <= 0]
    if params["partitions"] > 1 and not params["partition_field"]:
        problems.append("partitions > 1 needs partition_field, a numeric or date field of the source documents")
    return problems


def combination_problems(params):
    problems = []
    several = needs_resolution(params["source_index"]) or params["partitions"] > 1
    if params["max_docs"] and several:
        problems.append("max_docs applies to one copy; it cannot be combined with several indices or partitions")
    if params["tune_dest"] and not params["wait"]:
        problems.append("tune_dest needs wait=true, since the settings are restored when the copy ends")
    if needs_resolution(params["source_index"]) and "{index}" not in params["dest_index"] and params["rename_pattern"]:
        problems.append("rename_pattern needs {index} in dest_index")
    return problems


def retry_problems(params):
    problems = ["%s must be 0 or more, not %s" % (name, params[name]) for name in ("retries", "retry_delay")
                if params[name] < 0]
    if params["retries"] and not params["wait"]:
        problems.append("retries needs wait=true, since a copy is retried when its task has failed")
    return problems


def validate(params):
    """Everything wrong with the options that can be told before asking a cluster (pure)."""
    return (credential_problems(params["remote"]) + size_problems(params["size"]) + number_problems(params)
            + combination_problems(params)
            + retry_problems(params)
            + dest_template_problems(params["dest_index"])
            + rename_problems(params["rename_pattern"], params["rename_replacement"])
            + script_problems(params["script"], params["type_strategy"], params["type_separator"])
            + since_problems(params))


def parse():
    module = ElasticsearchModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    problems = validate(module.params)
    if problems:
        module.fail_json(msg="Invalid options: %s." % "; ".join(problems), **EMPTY_RESULT)
    return module


def runner_for(module):
    params = module.params
    return CopyRunner(
        module.cluster,
        dict(refresh=params["refresh"], requests_per_second=params["requests_per_second"] or -1),
        max_concurrent=params["max_concurrent"], poll_interval=params["poll_interval"],
        requests_per_second=None if params["requests_per_second"] is None else params["requests_per_second"] or -1,
        retries=params["retries"], retry_delay=params["retry_delay"],
    )


def destination_nodes(module):
    """The destination's nodes that take HTTP requests; [] with a warning when the cluster does not list them."""
    try:
        answer = module.cluster.request("GET", "/_nodes/http")
    except ClusterError as exc:
        module.warn("spread_tasks: the destination's nodes could not be listed (GET _nodes/http: %s; the user needs "
                    "the monitor cluster privilege), so every task is started through hosts."
                    % (describe_api_error(exc.status, exc.body, exc.message) if exc.status else exc.message))
        return []
    return http_nodes(answer, scheme_of(module.params["hosts"]))


def spread_over_nodes(module, jobs):
    """Give each job the destination node it starts on (round robin) when there are several jobs and nodes; the
    node names by id, for the result."""
    params = module.params
    if not params["spread_tasks"] or len(jobs) < 2:
        return {}
    found = destination_nodes(module)
    nodes = given_nodes(params["dest_nodes"]) if params["dest_nodes"] else found
    if len(nodes) < 2:
        return {node["id"]: node["name"] for node in found}
    clusters = {}
    for job, node in zip(jobs, round_robin(len(jobs), nodes)):
        if node["url"] not in clusters:
            clusters[node["url"]] = module.cluster.on_node(node["url"])
        job.node, job.coordinator = node, clusters[node["url"]]
    return {node["id"]: node["name"] for node in found}


def name_nodes(jobs, names):
    """Each job's node name from its task's node id; {node name: [task ids]}."""
    ran = {}
    for job in jobs:
        node_id = task_node_id(job.task_id)
        if node_id is None:
            continue
        name = names.get(node_id) or node_id
        job.node = dict(job.node or {}, id=node_id, name=name)
        ran.setdefault(name, []).append(job.task_id)
    return ran


def start_only(module, jobs):
    """wait=false: start (or find) every task and report their ids at once."""
    names = spread_over_nodes(module, jobs)
    runner_for(module).start_all(jobs)
    nodes = name_nodes(jobs, names)
    result = aggregate(jobs, 0)
    result["nodes"] = nodes
    result["changed"] = any(job.state == "running" and not job.reattached for job in jobs)
    report(module, result, failure_message(module, jobs))


def copy(module, jobs):
    """wait=true: run every task to its end (destinations tuned meanwhile); returns the result and its problems."""
    params = module.params
    started = time.monotonic()
    names = spread_over_nodes(module, jobs)
    tuned = tune_destinations(module, [job.dest_index for job in jobs]) if params["tune_dest"] else {}
    try:
        runner_for(module).run(jobs, started + params["wait_timeout"], params["cancel_on_timeout"])
    finally:
        restore_problems = restore_destinations(module, tuned)
    nodes = name_nodes(jobs, names)
    result = aggregate(jobs, time.monotonic() - started)
    result["nodes"] = nodes
    result["changed"] = any(documents_written(job.result) > 0 for job in jobs)
    if tuned:
        result["tuned"] = {index: dict(before=settings, during=TUNED_SETTINGS) for index, settings in tuned.items()}
    message = failure_message(module, jobs)
    if restore_problems:
        message = (message + ". " if message else "") + (
            "Restoring number_of_replicas/refresh_interval failed on %s; set them back by hand"
            % "; ".join(restore_problems))
    return result, message


def report(module, result, message):
    if message:
        module.fail_json(msg=message, **result)
    module.exit_json(**result)


def main():
    started = time.monotonic()
    module = parse()
    params = module.params
    what = "Reindex of %s from %s" % (", ".join(params["source_index"]), redact_url(params["remote"]["host"]))
    try:
        if module.check_mode:
            report(module, predict(module), None)
        jobs, plans = plan_jobs(module)
        if not params["wait"]:
            start_only(module, jobs)
        result, message = copy(module, jobs)
        if plans and not message:
            result["catch_up"] = finish_catch_up(module, plans, result, started)
    except Exception as exc:  # pylint: disable=broad-except  # every client error becomes a fail_json
        module.fail_on_error(exc, what, **EMPTY_RESULT)
    report(module, result, message)


if __name__ == "__main__":
    main()
