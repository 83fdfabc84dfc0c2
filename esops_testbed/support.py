"""Helpers shared by the unit and integration tests.

The collection is exposed to Python and to ansible-playbook through a symlink tree
.build/collections/ansible_collections/esops/migration -> repository root.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
COLLECTIONS_PATH = REPO_ROOT / ".build" / "collections"


def ensure_collection_tree():
    link = COLLECTIONS_PATH / "ansible_collections" / "esops" / "migration"
    if not link.is_symlink():
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            link.symlink_to(REPO_ROOT, target_is_directory=True)
        except FileExistsError:  # another test process made it first
            pass
    if str(COLLECTIONS_PATH) not in sys.path:
        sys.path.insert(0, str(COLLECTIONS_PATH))


def empty_ansible_cfg():
    """An ansible.cfg with nothing in it, so no user or system configuration leaks into the tests."""
    path = COLLECTIONS_PATH.parent / "ansible.cfg"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("[defaults]\n")
    return path


def target_python():
    """The Python that runs the modules: $ESOPS_TARGET_PYTHON (`make integration` names .venv-target, which holds
    the runtime requirements alone, as a managed node would), else this controller's own."""
    return os.environ.get("ESOPS_TARGET_PYTHON") or sys.executable


def ansible_env(**extra):
    """Environment for ansible-playbook runs: this collection only, no user config, no colour."""
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_PATH),
        ANSIBLE_CONFIG=str(empty_ansible_cfg()),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_PYTHON_INTERPRETER=target_python(),
        ANSIBLE_HOST_KEY_CHECKING="0",
        ANSIBLE_ROLES_PATH=str(REPO_ROOT / "roles"),
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def ansible_bin(name):
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


class PlaybookRun:
    def __init__(self, proc, result):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.result = result

    @property
    def output(self):
        return self.stdout + self.stderr


def run_playbook(playbook, args=(), extra_vars=None, inventory="localhost,", env=None, timeout=900):
    """Run ansible-playbook on a playbook file; returns PlaybookRun (rc, stdout, stderr)."""
    ensure_collection_tree()
    cmd = [ansible_bin("ansible-playbook"), "-i", inventory, str(playbook)] + list(args)
    with tempfile.TemporaryDirectory(prefix="esops-pb-") as tmpdir:
        if extra_vars:
            vars_file = Path(tmpdir) / "vars.json"
            vars_file.write_text(json.dumps(extra_vars))
            cmd += ["-e", "@%s" % vars_file]
        proc = subprocess.run(
            cmd, env=ansible_env(**(env or {})), capture_output=True, text=True, timeout=timeout, cwd=tmpdir,
            check=False,
        )
    return PlaybookRun(proc, None)


RESULTS_CALLBACK_DIR = Path(__file__).resolve().parent / "callback_plugins"


def run_tasks(tasks, flags=(), env=None):
    """Run module tasks ([(module, args)]) as one playbook on localhost, each with ignore_errors.

    Returns the PlaybookRun and each task's result as a registered variable holds it (changed, failed, msg,
    diff, ...), saved by the esops_task_results callback (esops_testbed/callback_plugins).
    """
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [
        {"name": "task %d" % number, _module_name(module): "{{ task_args[%d] }}" % number, "ignore_errors": True}
        for number, (module, _args) in enumerate(tasks)]}]
    with tempfile.TemporaryDirectory(prefix="esops-tasks-") as tmpdir:
        results_file = Path(tmpdir) / "results.json"
        playbook = Path(tmpdir) / "play.yml"
        playbook.write_text(json.dumps(play))
        saving = dict(ANSIBLE_CALLBACK_PLUGINS=RESULTS_CALLBACK_DIR, ANSIBLE_CALLBACKS_ENABLED="esops_task_results",
                      ESOPS_TASK_RESULTS_FILE=results_file)
        run = run_playbook(playbook, flags, extra_vars={"task_args": [args for _module, args in tasks]},
                           env={**saving, **(env or {})})
        results = json.loads(results_file.read_text()) if results_file.exists() else []
    if len(results) != len(tasks):
        raise AssertionError("ansible-playbook gave %d results for %d tasks (rc=%s):\n%s"
                             % (len(results), len(tasks), run.rc, run.output[-4000:]))
    return run, results


def _module_name(module):
    return module if "." in module else "esops.migration." + module


def run_module(module, args, check=False, diff=False, verbosity=0, env=None):
    """Run one module through ansible-playbook (the real AnsiballZ path) and return PlaybookRun.

    PlaybookRun.result is the module's result as a registered variable holds it (changed, failed, msg, diff, ...).
    """
    flags = []
    if check:
        flags.append("--check")
    if diff:
        flags.append("--diff")
    if verbosity:
        flags.append("-" + "v" * verbosity)
    run, results = run_tasks([(module, args)], flags, env)
    run.result = results[0]
    return run
