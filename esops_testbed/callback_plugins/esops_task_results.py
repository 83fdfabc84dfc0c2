"""Saves the result of every task, as `register` would hold it, in a JSON list in the file $ESOPS_TASK_RESULTS_FILE.

run_module and run_tasks (esops_testbed/support.py) read the results from there instead of a last task that copies
the registered ones to a file: that task costs two more module runs (stat and copy), about 0.8 s of CPU each time.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase
from ansible.vars.clean import strip_internal_keys

DOCUMENTATION = """
name: esops_task_results
type: aggregate
short_description: Save each task's result to a JSON file (test support)
description:
  - Appends the result of each task to a JSON list in the file named by E(ESOPS_TASK_RESULTS_FILE).
  - Each result carries C(failed) and C(skipped) as a registered variable does.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "esops_task_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.results = []

    def _save(self, result, **flags):
        saved = strip_internal_keys(dict(result._result))  # pylint: disable=protected-access
        saved.setdefault("failed", False)
        saved.update(flags)
        self.results.append(saved)
        with open(os.environ["ESOPS_TASK_RESULTS_FILE"], "w", encoding="utf-8") as handle:
            json.dump(self.results, handle, default=str)

    def v2_runner_on_ok(self, result):
        self._save(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._save(result, failed=True)

    def v2_runner_on_skipped(self, result):
        self._save(result, skipped=True)
