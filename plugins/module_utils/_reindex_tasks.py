# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reindex tasks on the destination cluster: start, find again, follow, cancel (shared by es_reindex and es_reindex_task)."""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlsplit

from ansible_collections.esops.migration.plugins.module_utils._batch_size import (
    CHUNK_TOO_LARGE,
    MAX_HALVINGS,
    SERVER_DEFAULT_SIZE,
    halved,
)
from ansible_collections.esops.migration.plugins.module_utils._cluster import ClusterError, path
from ansible_collections.esops.migration.plugins.module_utils._connection import describe_error, error_causes
from ansible_collections.esops.migration.plugins.module_utils._nodes import task_node_id
from ansible_collections.esops.migration.plugins.module_utils._progress import ProgressSamples
from ansible_collections.esops.migration.plugins.module_utils._reindex import (
    body_write_mode,
    in_create_mode,
    not_whitelisted_hint,
    remote_error_hint,
    remote_error_reason,
    result_from_response,
    shorten_remote_error,
)

REINDEX_ACTION = "indices:data/write/reindex"
# Seconds a followed task may be unknown to the cluster before it counts as lost (a relocation is not atomic),
# and seconds the destination may be unreachable (a node restarting, a network blip) before following gives up.
RELOCATION_GRACE = 20
UNREACHABLE_LIMIT = 180
# What a reindex task fails with when the link to the remote broke (reset, refused, closed, timed out), as the
# destination's HTTP client words it: worth retrying once the link is back, unlike a refused whitelist entry,
# credentials or a document the destination rejects.
LINK_ERROR = re.compile(
    r"Connection reset|Connection refused|connect_exception|connection_closed_exception|Connection is closed|Broken pipe"
    r"|SocketTimeout|socket_timeout|timeout on connection|ConnectTimeout|connect timed out|Read timed out"
    r"|No route to host|unexpected end of stream",
    re.I,
)

# What a reindex task fails with when the remote answered but could not search yet: HTTP 503, its shards not
# available (a source node starting again, shards still recovering). Worth retrying too.
REMOTE_UNAVAILABLE = re.compile(r"status=503|no_shard_available_action_exception|rejected due to missing shards", re.I)


# --- What a task says about itself: its description, progress, id and errors -------------------------------------

DESCRIPTION = re.compile(
    r"^reindex from \[(?P<remote>.*)\]\[(?P<source>[^\[\]]*)\] to \[(?P<dest>[^\[\]]*)\](?:\[[^\[\]]*\])?$", re.S
)
# The words of a description's remote part that say where the remote is, and the keys parse_task_description gives.
REMOTE_WORDS = {"scheme": "scheme", "host": "host", "port": "port", "pathPrefix": "path_prefix"}


def parse_task_description(description):
    """Remote scheme/host/port/path, query, source indices and destination of a reindex task's description.

    Elasticsearch describes a remote reindex as
    ``reindex from [scheme=https host=h port=9200 pathPrefix=/p query={...} username=u password=<<>>][a, b] to [d]``
    (scheme only when not http, the query pretty-printed, a trailing `[_doc]` before 8.0). None when not remote.
    """
    match = DESCRIPTION.match(description or "")
    if not match:
        return None
    head, has_query, query = match.group("remote").partition("query=")
    parsed = dict(scheme="http", path_prefix=None)
    for word in head.split():
        key, sep, value = word.partition("=")
        if sep and key in REMOTE_WORDS:
            parsed[REMOTE_WORDS[key]] = value
    if "host" not in parsed:
        return None
    parsed["query"] = quoted_json(query) if has_query else None
    parsed["source"] = sorted(name.strip() for name in match.group("source").split(","))
    parsed["dest"] = match.group("dest")
    return parsed


def quoted_json(text):
    """The JSON value at the start of text (the rest is ignored), or None."""
    try:
        return json.JSONDecoder().raw_decode(text)[0]
    except ValueError:
        return None


def is_match_all(query):
    return not query or (isinstance(query, dict) and list(query) == ["match_all"])


def described_remote(parsed):
    """(scheme, host, port, path prefix) of a parsed description, comparable with body_remote()."""
    return (parsed["scheme"], parsed["host"].strip("[]").lower(), parsed["port"],
            (parsed["path_prefix"] or "").strip("/"))


def body_remote(body):
    """(scheme, host, port, path prefix) of the remote a reindex body reads from, as a description writes them."""
    remote = urlsplit(body["source"]["remote"]["host"])
    return (remote.scheme, (remote.hostname or "").lower(), str(remote.port), remote.path.strip("/"))


def body_sources(body):
    index = body["source"]["index"]
    names = index if isinstance(index, list) else str(index).split(",")
    return sorted(name.strip() for name in names)


def same_query(described, wanted):
    """Whether a description's query is the one wanted (no query and match_all are the same: the server fills it in)."""
    if is_match_all(wanted):
        return is_match_all(described)
    return described == wanted


def same_copy(description, body):
    """Whether a task's description is the copy that `body` would start (same remote, indices, dest and query)."""
    parsed = parse_task_description(description)
    return parsed is not None and (
        described_remote(parsed) == body_remote(body)
        and parsed["source"] == body_sources(body)
        and parsed["dest"] == body["dest"]["index"]
        and same_query(parsed["query"], body["source"].get("query"))
    )


def task_progress(status):
    """Documents processed so far and the total, from a running task's status."""
    done = sum(int(status.get(key) or 0) for key in ("created", "updated", "deleted", "noops", "version_conflicts"))
    return done, int(status.get("total") or 0)


LOST_TASK = re.compile(r"isn't running and hasn't stored its results")


def is_lost_task_error(message):
    return bool(LOST_TASK.search(message or ""))


def current_task_id(requested_id, task_response):
    """The id of the task a GET _tasks/<requested_id> answer describes.

    Elasticsearch 9.5+ follows a relocated reindex to its latest task and answers with that task's node and id
    (keeping original_task_id), so the answer can name another task than the one asked for.
    """
    task = (task_response or {}).get("task") or {}
    if task.get("node") and task.get("id") is not None:
        return "%s:%s" % (task["node"], task["id"])
    return requested_id


# The error a reindex task ends with when it handed its copy over to a task on another node (Elasticsearch 9.5+);
# it names that task in relocated_task_id (TaskRelocatedException).
RELOCATED_ERROR = "task_relocated_exception"


def relocation_errors(error):
    return [cause for cause in error_causes(error) if cause.get("type") == RELOCATED_ERROR]


def is_relocation_error(error):
    """Whether a finished task's error says it was relocated (it goes on elsewhere), not that the copy failed."""
    return bool(relocation_errors(error))


def relocation_target(error):
    """The id of the task a relocated task handed its copy to, as its error names it, or None."""
    named = [cause.get("relocated_task_id") for cause in relocation_errors(error) if cause.get("relocated_task_id")]
    return named[0] if named else None


# --- Tasks API calls ------------------------------------------------------------------------------------------------


def is_transient(exc):
    """Errors worth waiting out while following a task: no connection, or the cluster answering 5xx."""
    return isinstance(exc, ClusterError) and (exc.unreachable or exc.status >= 500)


def running_copies(cluster):
    """{task_id: description} of the reindex tasks running on the cluster (sliced children left out)."""
    listing = cluster.request("GET", "/_tasks", dict(actions=REINDEX_ACTION, detailed=True))
    found = {}
    for node in (listing.get("nodes") or {}).values():
        for task_id, task in (node.get("tasks") or {}).items():
            if not task.get("parent_task_id"):
                found[task_id] = task.get("description") or ""
    return found


def find_copy(running, body, taken):
    """The id of a running task copying what `body` describes and not yet followed by another job, or None."""
    for task_id, description in sorted(running.items()):
        if task_id not in taken and same_copy(description, body):
            return task_id
    return None


def fetch_task(cluster, task_id, wait_seconds=0):
    """GET _tasks/<id>; None when the cluster no longer knows the task (it is neither running nor stored).

    With wait_seconds, the server holds the request until the task completes or that time passes, so the end
    of a copy is seen at once instead of at the next poll; a task still running then comes back as
    {"completed": False} without its status.
    """
    try:
        if wait_seconds:
            return cluster.request("GET", path("_tasks", task_id),
                                   dict(wait_for_completion=True, timeout="%dms" % int(wait_seconds * 1000)))
        return cluster.request("GET", path("_tasks", task_id))
    except ClusterError as exc:
        text = "%s %s" % (exc.message, exc.body)
        if exc.status == 404 and (is_lost_task_error(text) or "resource_not_found" in text):
            return None
        if wait_seconds and "timeout_exception" in text:
            return {"completed": False}
        raise


def rethrottle(cluster, task_id, requests_per_second):
    cluster.request("POST", path("_reindex", task_id, "_rethrottle"), dict(requests_per_second=requests_per_second))


def cancel_task(cluster, task_id, wait_for_completion=False, ignore=()):
    params = dict(wait_for_completion=True) if wait_for_completion else None
    cluster.request("POST", path("_tasks", task_id, "_cancel"), params, ignore=ignore)


class CopyJob:
    """One reindex task: which source index (and partition) goes where, and how it went."""

    def __init__(self, source_index, dest_index, body, partition=None):
        self.source_index = source_index
        self.dest_index = dest_index
        self.body = body
        self.partition = partition
        self.task_id = None
        self.description = ""  # as the server wrote it, when known
        self.reattached = False
        self.relocated_from = []
        self.state = "pending"  # pending, running, done, failed, lost, cancelled, timed_out
        self.error = None
        self.result = result_from_response({})
        self.status = {}
        self.unreachable_since = None
        self.missing_since = None
        self.link_error = False  # the task failed because the link to the remote broke
        self.remote_unavailable = False  # the task failed because the remote's shards were not available (503)
        self.retried = []  # the attempts that failed and were retried: task id, state, error, processed, why, modes
        self.progress = ProgressSamples()
        self.chunk_too_large = False  # the task failed because a batch overflowed the destination's 100 MB buffer
        self.halved_from = []  # the batch sizes that were too large, each followed by a retry with half of it
        self.size_auto = None  # what size auto chose for this copy and from what
        self.node = None  # the destination node (id, name, url) the copy is started on, or None: the module's hosts
        self.coordinator = None  # the Cluster reaching only that node
        self.node_fallback = None  # why the copy was started through the module's hosts instead of its node

    @property
    def size(self):
        """Documents per batch the copy asks for (the server's default when the body leaves it out)."""
        return self.body["source"].get("size") or SERVER_DEFAULT_SIZE

    def move_to(self, task_id):
        """The job's copy goes on under another task (relocated, or found again by its description)."""
        self.relocated_from.append(self.task_id)
        self.task_id = task_id
        self.missing_since = None

    def processed(self):
        """Documents processed and the total: the outcome's once the task ended with one, else the last status."""
        ended = self.state in ("done", "failed", "cancelled") and self.result["total"]
        return task_progress(self.result if ended else self.status)

    def summary(self):
        done, total = self.processed()
        row = dict(
            source_index=self.source_index, dest_index=self.dest_index, partition=self.partition,
            task_id=self.task_id, reattached=self.reattached, state=self.state, error=self.error,
            processed=done, total=total, progress=self.progress.as_list(),
        )
        if self.relocated_from:
            row["relocated_from"] = list(self.relocated_from)
        for key in ("created", "updated", "version_conflicts", "took"):
            row[key] = self.result.get(key, 0)
        row["failures"] = len(self.result.get("failures") or [])
        if self.retried:
            row["retried"] = list(self.retried)
        row.update(self.batch_summary())
        row.update(self.node_summary())
        return row

    def batch_summary(self):
        row = dict(size=self.size, halved_from=list(self.halved_from))
        if self.size_auto:
            row["size_auto"] = dict(self.size_auto)
        return row

    def node_summary(self):
        """Where the task ran: the node id (the Tasks API's `node`), its name when known, the address it was sent to."""
        row = dict(node_id=task_node_id(self.task_id), node=(self.node or {}).get("name"),
                   started_on=(self.node or {}).get("url"))
        if self.node_fallback:
            row["node_fallback"] = self.node_fallback
        return row

    def can_halve(self):
        """Whether the copy failed on a batch too large for the destination's buffer and may run with half the size."""
        return self.state == "failed" and self.chunk_too_large and self.size > 1 and len(self.halved_from) < MAX_HALVINGS

    def halve_size(self):
        """Run the copy again with half the batch size (the failed attempt is noted like any retry)."""
        size = self.size
        self.start_over("a batch was too large for the destination's 100 MB buffer: size %s halved to %s"
                        % (size, halved(size)))
        self.halved_from.append(size)
        self.body["source"]["size"] = halved(size)

    def is_retryable(self):
        """Whether running the copy again can end it: its task was lost, failed on the link to the remote, or found
        the remote's shards unavailable."""
        return self.state == "lost" or (self.state == "failed" and (self.link_error or self.remote_unavailable))

    def retry_reason(self):
        """Why a retryable copy runs again, in words."""
        if self.state == "lost":
            return "the task was lost: the node running it left or restarted"
        if self.remote_unavailable:
            return "the remote answered 503: its shards were not available (a node starting or recovering)"
        return "the link to the remote broke"

    def start_over(self, reason, back_off=0):
        """Note the failed attempt (why it runs again, after how many seconds, in which mode) and make the job
        pending again, in mode create: the documents the failed attempt wrote are skipped as version conflicts,
        not written a second time."""
        self.retried.append(dict(task_id=self.task_id, state=self.state, error=self.error,
                                 processed=self.summary()["processed"], reason=reason, back_off=back_off,
                                 mode=body_write_mode(self.body), retry_mode="create"))
        self.body = in_create_mode(self.body)
        self.task_id, self.state, self.error, self.link_error = None, "pending", None, False
        self.chunk_too_large = self.remote_unavailable = False
        self.reattached, self.status, self.result = False, {}, result_from_response({})
        self.unreachable_since = self.missing_since = None


def start_error_message(exc, job):
    text = "%s %s" % (exc.body, exc.message) if isinstance(exc, ClusterError) else str(exc)
    hint = not_whitelisted_hint(text)
    if hint:
        return hint
    if isinstance(exc, ClusterError) and not exc.unreachable:
        return "Starting the reindex of %s into %s failed: HTTP %s %s" % (
            job.source_index, job.dest_index, exc.status,
            describe_error((exc.body or {}).get("error") if isinstance(exc.body, dict) else exc.body) or exc.message,
        )
    return "Starting the reindex of %s into %s failed: %s" % (job.source_index, job.dest_index, exc)


class CopyRunner:
    """Runs jobs as reindex tasks, at most `max_concurrent` at once, and follows them to the end.

    Before starting a job it looks for a running task doing the same copy (a previous run that died or
    timed out) and follows that one instead. Elasticsearch 9.5+ may move a reindex to another node under a
    new id: the job follows the id the Tasks API answers with, or the one a task_relocated_exception names.
    A followed task the cluster no longer knows is looked for again by its description; if no such task
    runs within relocation_grace seconds, the job is lost, which is a failure, never a success.
    Each look at a task adds a progress sample to its job, timed in seconds since the runner was made.
    """

    def __init__(self, cluster, start_options, max_concurrent=2, poll_interval=2.0, requests_per_second=None,
                 relocation_grace=RELOCATION_GRACE, retries=0, retry_delay=10.0):
        self.cluster = cluster
        self.retries = retries
        self.retry_delay = retry_delay
        self.relocation_grace = relocation_grace
        self.start_options = start_options
        self.max_concurrent = max(1, max_concurrent)
        self.poll_interval = poll_interval
        self.requests_per_second = requests_per_second
        self.rethrottled = []
        self.started = time.monotonic()
        self.unreachable_nodes = set()  # addresses of destination nodes a start could not reach

    def elapsed(self):
        return time.monotonic() - self.started

    def taken(self, jobs):
        return {job.task_id for job in jobs if job.task_id}

    def launch(self, job, running, jobs):
        task_id = find_copy(running, job.body, self.taken(jobs))
        if task_id:
            job.task_id, job.reattached, job.state = task_id, True, "running"
            if self.requests_per_second is not None:
                rethrottle(self.cluster, task_id, self.requests_per_second)
                self.rethrottled.append(task_id)
            return
        try:
            response = self.start_on_node(job)
        except Exception as exc:  # pylint: disable=broad-except  # reported on the job, other jobs go on
            job.state, job.error = "failed", start_error_message(exc, job)
            return
        job.task_id, job.state = response["task"], "running"
        job.progress.add(self.elapsed(), 0)

    def start_on_node(self, job):
        """POST _reindex through the job's node, so that the node coordinates the task; through the module's hosts
        when there is none, or when that node cannot be reached from here (its publish address may be private)."""
        params = dict(self.start_options, wait_for_completion=False)
        if job.coordinator is not None and job.node["url"] in self.unreachable_nodes:
            job.node_fallback = "%s could not be reached before: started through hosts" % job.node["url"]
        elif job.coordinator is not None:
            try:
                return job.coordinator.request("POST", "/_reindex", params, job.body)
            except ClusterError as exc:
                if not exc.unreachable:
                    raise
                self.unreachable_nodes.add(job.node["url"])  # the next copies for it do not wait for it again
                job.node_fallback = "%s could not be reached (%s): started through hosts" % (job.node["url"], exc)
        return self.cluster.request("POST", "/_reindex", params, job.body)

    def start_all(self, jobs):
        """Start (or find) every job at once, without waiting (wait=false)."""
        running = running_copies(self.cluster)
        for job in jobs:
            self.launch(job, running, jobs)
        return jobs

    def run(self, jobs, deadline, cancel_on_timeout=True):
        """Run every job, then run again the jobs that can end on another attempt; the others are not redone.

        A job whose task was lost or failed on the link to the remote runs again up to `retries` times, after a
        back-off of retry_delay seconds doubling each time. A job whose batch was too large for the destination's
        buffer runs again at once with half the batch size, up to MAX_HALVINGS times. Retries start once every
        job of the round has ended (a broken link usually fails them all at once: one back-off then serves them
        all), and run in mode create, so that what a failed attempt wrote is not written twice.
        """
        self.run_once(jobs, deadline, cancel_on_timeout)
        attempt = 0
        while True:
            smaller, again = self.to_run_again(jobs, attempt)
            delay = self.retry_delay * 2 ** attempt if again else 0
            if not (smaller or again) or time.monotonic() + delay >= deadline:
                return jobs
            time.sleep(delay)
            attempt += bool(again)
            for job in smaller:
                job.halve_size()
            for job in again:
                job.start_over(job.retry_reason(), delay)
            self.run_once(smaller + again, deadline, cancel_on_timeout)

    def to_run_again(self, jobs, attempt):
        """(jobs to run with half the batch size, jobs to retry after the back-off) once `attempt` retries ran."""
        smaller = [job for job in jobs if job.can_halve()]
        again = [job for job in jobs if job.is_retryable()] if attempt < self.retries else []
        return smaller, again

    def run_once(self, jobs, deadline, cancel_on_timeout=True):
        """Start jobs as slots free up and follow them until all ended or the deadline passed."""
        running = running_copies(self.cluster)
        pending = list(jobs)
        if self.wait(jobs, deadline, lambda: self.fill_slots(pending, running, jobs)):
            self.time_out(jobs, cancel_on_timeout)
        for job in pending:
            if job.state == "pending":
                job.state, job.error = "cancelled", "not started because another copy could not start"
        return jobs

    def fill_slots(self, pending, running, jobs):
        """Start pending jobs while fewer than max_concurrent run, unless a copy could not even start."""
        active = sum(job.state == "running" for job in jobs)
        while pending and active < self.max_concurrent:
            if any(job.state == "failed" and job.task_id is None for job in jobs):
                return  # a copy could not even start: do not start more of the same
            job = pending.pop(0)
            self.launch(job, running, jobs)
            active += job.state == "running"

    def wait(self, jobs, deadline, before_each_round=None):
        """Follow the running jobs until none runs or the deadline passed; the jobs still running then.

        Each look waits on the server for its share of the interval, so an ending task is seen at once; the
        interval grows from 0.25 s to poll_interval. before_each_round() may start more jobs.
        """
        interval = min(0.25, self.poll_interval)
        while True:
            if before_each_round:
                before_each_round()
            active = [job for job in jobs if job.state == "running"]
            if not active:
                return []
            self.follow_round(active, jobs, min(interval, deadline - time.monotonic()))
            interval = min(interval * 2, self.poll_interval)
            still_running = [job for job in jobs if job.state == "running"]
            if still_running and time.monotonic() >= deadline:
                return still_running

    def follow_round(self, active, jobs, seconds):
        """One look at each active job, the round taking about `seconds` (at least 0.2 s a job)."""
        wait_each = max(0.2, seconds / len(active))
        round_started = time.monotonic()
        for job in active:
            self.follow(job, jobs, wait_each)
        # No wait happened on the server (a task missing or the cluster unreachable) and nothing ended: pause.
        idle = wait_each * len(active) - (time.monotonic() - round_started)
        if idle > 0 and all(job.state == "running" for job in active):
            time.sleep(idle)

    def time_out(self, jobs, cancel_on_timeout):
        """At the deadline: the running jobs timed out (their tasks cancelled unless told not to), the others not started."""
        for job in jobs:
            if job.state == "running":
                self.follow(job, jobs)  # the latest status, for the message
            if job.state == "running":
                job.state = "timed_out"
                if cancel_on_timeout:
                    cancel_task(self.cluster, job.task_id, ignore=(404,))
            elif job.state == "pending":
                job.state, job.error = "cancelled", "not started before the timeout"

    def follow(self, job, jobs, wait_seconds=0):
        """One look at a job's task: record progress, the end, or find it again under a new id.

        The cluster unreachable or answering 5xx is waited out for UNREACHABLE_LIMIT seconds; other errors raise.
        """
        try:
            task = fetch_task(self.cluster, job.task_id, wait_seconds)
            if task is not None and "task" not in task:
                # The long poll ended before the task; its answer has no status: ask for it (a quick GET).
                task = fetch_task(self.cluster, job.task_id)
        except ClusterError as exc:
            if not is_transient(exc) or unreachable_too_long(job):
                raise
            return
        job.unreachable_since = None
        self.record(job, jobs, task)

    def record(self, job, jobs, task):
        """Record one answer to GET _tasks/<job.task_id> (None: the cluster does not know the task) on the job."""
        task = task and followed_relocation(job, task)
        if task is None:
            self.find_again(job, jobs)
            return
        job.missing_since = None
        job.status = (task.get("task") or {}).get("status") or job.status
        if task.get("completed"):
            finish(job, task)
        if task.get("task"):
            job.progress.add(self.elapsed(), job.processed()[0])

    def find_again(self, job, jobs):
        """A task the cluster does not know: follow the running task doing its copy, or after the grace it is lost."""
        moved = find_copy(running_copies(self.cluster), job.body, self.taken(jobs))
        if moved:
            job.move_to(moved)
            return
        now = time.monotonic()
        job.missing_since = job.missing_since or now
        if now - job.missing_since >= self.relocation_grace:
            job.state, job.error = "lost", lost_message(job)


def unreachable_too_long(job):
    """Note that the job's cluster could not be asked; whether that has lasted more than UNREACHABLE_LIMIT."""
    now = time.monotonic()
    job.unreachable_since = job.unreachable_since or now
    return now - job.unreachable_since > UNREACHABLE_LIMIT


def followed_relocation(job, task):
    """The answer about a job's task after following what it says of a relocation (Elasticsearch 9.5+).

    An answer about another task than the one asked for is the server following the relocation: the job goes
    on with that task. A task that ended by handing its copy over names its successor: the job follows that
    one from the next look ({"completed": False} meanwhile), or None when no successor is named (find it again).
    """
    if task.get("completed") and is_relocation_error(task.get("error")):
        successor = relocation_target(task.get("error"))
        if not successor or successor == job.task_id:
            return None
        job.move_to(successor)
        return {"completed": False}
    moved_to = current_task_id(job.task_id, task)
    if moved_to != job.task_id:
        job.move_to(moved_to)
    return task


def lost_message(job):
    copy = " of %s into %s" % (job.source_index, job.dest_index) if job.source_index else ""
    return (
        "the reindex task %s%s isn't running and hasn't stored its results (the node running it left or "
        "restarted), and no running task does the same copy: it did not finish. Run es_reindex again; mode "
        "create copies only what is still missing" % (job.task_id, copy)
    )


def finish(job, task):
    """Record a completed task's outcome on the job."""
    if task.get("error"):
        error = describe_error(task["error"])
        hint = not_whitelisted_hint(error)
        if hint:
            job.state, job.error = "failed", hint
            return
        remote = job.body["source"]["remote"]["host"]
        hint = remote_error_hint(error, remote)
        job.state, job.link_error = "failed", bool(LINK_ERROR.search(error))
        job.remote_unavailable = bool(REMOTE_UNAVAILABLE.search(error))
        job.chunk_too_large = bool(CHUNK_TOO_LARGE.search(error))
        reason = remote_error_reason(error)
        details = shorten_remote_error(error)
        job.error = "the reindex task %s failed: %s%s" % (
            job.task_id, "%s. Details: %s" % (reason, details) if reason else details,
            (". Hint: " + hint) if hint else "")
        return
    job.result = result_from_response(task.get("response") or {})
    if (task.get("response") or {}).get("canceled"):
        job.state, job.error = "cancelled", "the task was cancelled: %s" % task["response"]["canceled"]
    elif job.result["failures"] or job.result["timed_out"]:
        job.state = "failed"
    else:
        job.state = "done"
