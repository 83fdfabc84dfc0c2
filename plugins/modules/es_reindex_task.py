#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: es_reindex_task
short_description: Inspect, wait for, rethrottle or cancel reindex tasks
version_added: 0.2.0
description:
  - Looks at reindex tasks on the destination cluster, for example those M(esops.migration.es_reindex) started
    with O(esops.migration.es_reindex#module:wait=false), and reports their progress and outcome.
  - Suited to an C(until) loop on RV(completed); or set O(wait=true) to follow the tasks to their end here.
  - A task that ended with an error or document failures fails the module. A task the cluster no longer knows
    (it isn't running and hasn't stored its results, for example after its node restarted) is reported as lost,
    a failure, never as a success. On Elasticsearch 9.5+, which may move a reindex to another node under a new
    id, the module follows the new id the Tasks API answers with, or finds the task again by its description.
  - O(requests_per_second) rethrottles running tasks and O(cancel=true) cancels them.
author:
  - esops.migration contributors (@esops)
extends_documentation_fragment:
  - esops.migration.connection
  - esops.migration.attributes
attributes:
  check_mode:
    support: full
    details: Inspection runs; a rethrottle or cancel is only reported as C(changed).
  diff_mode:
    support: none
  idempotent:
    support: full
options:
  task_id:
    description: Ids of the tasks (C(node:number)), as RV(esops.migration.es_reindex#module:task_ids) returns them.
    type: list
    elements: str
    required: true
  wait:
    description: Follow the tasks until they end (or O(wait_timeout) passes) instead of looking once.
    type: bool
    default: false
  wait_timeout:
    description: With O(wait=true), seconds to wait; the module then fails and the tasks keep running.
    type: int
    default: 3600
  poll_interval:
    description: With O(wait=true), seconds between two looks.
    type: float
    default: 2
  requests_per_second:
    description: Rethrottle the running tasks to this many documents per second (V(0) means unlimited).
    type: float
  cancel:
    description: Cancel the tasks that are still running.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Wait until the copy started earlier ends, showing its progress
  esops.migration.es_reindex_task:
    hosts: ["http://es-dest.example.com:9200"]
    task_id: "{{ started.task_ids }}"
  register: progress
  until: progress.completed
  retries: 360
  delay: 10

- name: Let the copy go faster during the night
  esops.migration.es_reindex_task:
    hosts: ["http://es-dest.example.com:9200"]
    task_id: "{{ started.task_ids }}"
    requests_per_second: 0

- name: Stop it
  esops.migration.es_reindex_task:
    hosts: ["http://es-dest.example.com:9200"]
    task_id: "{{ started.task_ids }}"
    cancel: true
"""

RETURN = r"""
completed:
  description: Whether every task has ended.
  returned: always
  type: bool
processed:
  description: Documents processed so far by all the tasks (created, updated, deleted, noops and version conflicts).
  returned: always
  type: int
total:
  description: Documents the tasks have to process, as far as they know yet.
  returned: always
  type: int
percent:
  description: RV(processed) as a percentage of RV(total) (0 until the totals are known).
  returned: always
  type: float
created:
  description: Documents created, over the ended tasks.
  returned: always
  type: int
updated:
  description: Documents overwritten, over the ended tasks.
  returned: always
  type: int
version_conflicts:
  description: Documents left alone because the destination had them, over the ended tasks.
  returned: always
  type: int
tasks:
  description:
    - One entry per task with C(task_id), C(state) (running, done, failed, lost, cancelled), C(description)
      (passwords are masked by Elasticsearch), C(processed), C(total), C(requests_per_second), C(error), and
      C(relocated_from) when it was found again under a new id.
  returned: always
  type: list
  elements: dict
"""

import time

from ansible_collections.esops.migration.plugins.module_utils._connection import ElasticsearchModule
from ansible_collections.esops.migration.plugins.module_utils._reindex import summarise_failures
from ansible_collections.esops.migration.plugins.module_utils._reindex_tasks import (
    RELOCATION_GRACE,
    CopyJob,
    CopyRunner,
    cancel_task,
    fetch_task,
    parse_task_description,
    rethrottle,
    task_progress,
)


def job_for(task_id, task):
    """A CopyJob standing for a task known only by its id, with the body its description implies (so that
    CopyRunner.follow can find the same copy again under another id)."""
    description = (task or {}).get("task", {}).get("description", "")
    parsed = parse_task_description(description)
    if parsed is None:
        job = CopyJob(None, None, {"source": {"remote": {"host": ""}, "index": ""}, "dest": {"index": ""}})
    else:
        remote = "%s://%s:%s%s" % (parsed["scheme"], parsed["host"], parsed["port"], parsed["path_prefix"] or "")
        source = ",".join(parsed["source"])
        body = {"source": {"remote": {"host": remote}, "index": source, "query": parsed["query"]},
                "dest": {"index": parsed["dest"]}}
        job = CopyJob(source, parsed["dest"], body)
    job.task_id = task_id
    job.state = "running"
    job.description = description
    return job


def report(jobs):
    rows = []
    totals = dict(processed=0, total=0, created=0, updated=0, version_conflicts=0)
    for job in jobs:
        done, total = task_progress(job.status)
        if job.state != "running" and job.state != "lost":
            done, total = task_progress(job.result) if job.result["total"] else (done, total)
        row = dict(task_id=job.task_id, state=job.state, description=job.description, processed=done, total=total,
                   requests_per_second=job.status.get("requests_per_second"), error=job.error)
        if job.relocated_from:
            row["relocated_from"] = job.relocated_from
        rows.append(row)
        totals["processed"] += done
        totals["total"] += total
        for key in ("created", "updated", "version_conflicts"):
            totals[key] += job.result[key]
    totals["percent"] = round(100.0 * totals["processed"] / totals["total"], 1) if totals["total"] else 0.0
    totals["completed"] = all(job.state != "running" for job in jobs)
    totals["tasks"] = rows
    return totals


def problems_of(jobs):
    problems = []
    for job in jobs:
        if job.result["failures"]:
            problems.append("the reindex task %s had %d failure(s): %s" % (
                job.task_id, len(job.result["failures"]), summarise_failures(job.result["failures"])))
        elif job.state in ("failed", "lost") and job.error:
            problems.append(job.error)
    return problems


ARGUMENT_SPEC = dict(
    task_id=dict(type="list", elements="str", required=True),
    wait=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=3600),
    poll_interval=dict(type="float", default=2),
    requests_per_second=dict(type="float"),
    cancel=dict(type="bool", default=False),
)


def look_at_tasks(runner, task_ids):
    """A job per task id, recorded from one look at its task."""
    jobs = []
    for task_id in task_ids:
        task = fetch_task(runner.cluster, task_id)
        job = job_for(task_id, task)
        jobs.append(job)
        runner.record(job, jobs, task)
    return jobs


def rethrottle_running(module, cluster, jobs):
    """Rethrottle the running tasks whose rate is not requests_per_second yet; whether there were any."""
    wanted = module.params["requests_per_second"]
    if wanted is None:
        return False
    rate = wanted or -1  # 0 means unlimited, which the Tasks API writes as -1 (and wants as -1)
    to_change = [job for job in jobs if job.state == "running" and job.status.get("requests_per_second") != rate]
    if not module.check_mode:
        for job in to_change:
            rethrottle(cluster, job.task_id, rate)
    return bool(to_change)


def cancel_running(module, runner, jobs):
    """With cancel=true, cancel the running tasks and look at them again; whether there were any."""
    running = [job for job in jobs if job.state == "running"]
    if not module.params["cancel"] or not running:
        return False
    if not module.check_mode:
        for job in running:
            cancel_task(runner.cluster, job.task_id, wait_for_completion=True)
            runner.follow(job, jobs)
    return True


def exit_with(module, jobs, changed):
    result = dict(report(jobs), changed=changed)
    problems = problems_of(jobs)
    if problems:
        message = "; ".join(problems)
        module.fail_json(msg=message[0].upper() + message[1:], **result)
    if module.params["wait"] and not result["completed"]:
        module.fail_json(msg="The reindex task(s) did not end within %s seconds; they are still running (%s%% done)"
                         % (module.params["wait_timeout"], result["percent"]), **result)
    module.exit_json(**result)


def main():
    module = ElasticsearchModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    # A single look reports a vanished task as lost at once; waiting gives a relocation time to show up.
    runner = CopyRunner(module.cluster, {}, poll_interval=params["poll_interval"],
                        relocation_grace=RELOCATION_GRACE if params["wait"] else 0)
    jobs, changed = [], False
    try:
        jobs = look_at_tasks(runner, params["task_id"])
        changed = rethrottle_running(module, runner.cluster, jobs)
        changed = cancel_running(module, runner, jobs) or changed
        if params["wait"]:
            runner.wait(jobs, time.monotonic() + params["wait_timeout"])
    except Exception as exc:  # pylint: disable=broad-except  # every client error becomes a fail_json
        module.fail_on_error(exc, "Looking at reindex task(s) %s" % ", ".join(params["task_id"]))
    exit_with(module, jobs, changed)


if __name__ == "__main__":
    main()
