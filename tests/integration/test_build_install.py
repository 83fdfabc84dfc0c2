"""The collection as users get it: built with ansible-galaxy, installed, and run from the installed copy."""

from __future__ import annotations

import re
import subprocess
import tarfile

import pytest

from esops_testbed.support import REPO_ROOT, ansible_bin, run_playbook
from test_role_migration import demo_env

EXAMPLE_PLAYBOOK = """\
- name: module_defaults for the es group reach every module
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/esops.migration.es:
      hosts: ["{url}"]
      username: "{username}"
      password: "{{{{ dest_password }}}}"
  tasks:
    - name: Create an index with no connection options on the task
      esops.migration.es_index:
        name: module_defaults_it
        settings: {{number_of_shards: 1, number_of_replicas: 0}}
      register: created
    - name: Count it against itself through es_verify's dest side
      esops.migration.es_verify:
        source:
          hosts: ["{url}"]
          username: "{username}"
          password: "{{{{ dest_password }}}}"
          index: module_defaults_it
        dest_index: module_defaults_it
      register: verified
    - name: Check
      ansible.builtin.assert:
        that:
          - created is changed
          - verified.match
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The built artefact and the collections path it was installed into."""
    work = tmp_path_factory.mktemp("galaxy")
    build = subprocess.run(
        [ansible_bin("ansible-galaxy"), "collection", "build", str(REPO_ROOT), "--output-path", str(work)],
        capture_output=True, text=True, check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    artefact = next(work.glob("esops-migration-*.tar.gz"))
    install = subprocess.run(
        [ansible_bin("ansible-galaxy"), "collection", "install", str(artefact), "-p", str(work / "collections")],
        capture_output=True, text=True, check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    return artefact, work / "collections"


def test_the_artefact_holds_the_collection_and_no_test_or_dev_files(installed):
    artefact = installed[0]
    with tarfile.open(artefact) as tar:
        names = set(tar.getnames())
    for wanted in ("MANIFEST.json", "meta/runtime.yml", "plugins/modules/es_reindex.py",
                   "plugins/module_utils/_whitelist.py", "roles/remote_reindex/meta/argument_specs.yml",
                   "playbooks/migrate.yml", "inventories/dev/hosts.yml", "inventories/prod/hosts.yml", "README.md",
                   # What ansible-builder and galaxy-importer read from the artefact.
                   "meta/execution-environment.yml", "requirements.txt", "bindep.txt", "roles/remote_reindex/README.md"):
        assert wanted in names or "./" + wanted in names or any(name.endswith("/" + wanted) for name in names), wanted
    # inventories/local names tools/eslocal.py, a development tool that does not ship: it stays out too.
    dev_files = (r"(^|/)(tests|tools|esops_testbed|bench|inventories/local|\.venv[^/]*|\.build|\.ci|\.ansible|\.cache"
                 r"|requirements-(dev|target)[^/]*)(/|$)|(^|/)pyproject\.toml$")
    unwanted = [name for name in names if re.search(dev_files, name)]
    assert unwanted == []


def test_the_demo_runs_from_the_installed_copy(installed, source, dest):
    collections = installed[1]
    copy = collections / "ansible_collections" / "esops" / "migration"
    run = run_playbook(
        copy / "playbooks" / "demo.yml",
        inventory=str(REPO_ROOT / "inventories" / "local"),
        env=dict(demo_env(source, dest), ANSIBLE_COLLECTIONS_PATH=str(collections)),
    )
    assert run.rc == 0, run.output[-4000:]
    assert str(copy / "roles" / "remote_reindex") in run.output or "esops.migration.remote_reindex" in run.output
    assert "verify: source 6 = destination 6" in run.output


def test_module_defaults_group_sets_the_connection_for_every_module(installed, dest, tmp_path):
    collections = installed[1]
    dest.client.options(ignore_status=404).indices.delete(index="module_defaults_it")
    playbook = tmp_path / "defaults.yml"
    playbook.write_text(EXAMPLE_PLAYBOOK.format(url=dest.url, username=dest.username))
    run = run_playbook(playbook, extra_vars={"dest_password": dest.password},
                       env={"ANSIBLE_COLLECTIONS_PATH": str(collections)})
    assert run.rc == 0, run.output[-4000:]
    assert dest.client.indices.exists(index="module_defaults_it")
