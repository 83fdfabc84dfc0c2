"""The role's restart command as a string (shlex-split, no shell) and as a list (argv), on the real dest node;
and the role's remote_reindex_result fact, used by a task after the role."""

from __future__ import annotations

import json
import sys

import pytest

from esops_testbed import eslocal
from esops_testbed.cluster_support import DEST, set_whitelist_line
from esops_testbed.guide_data import PRODUCT_INDEX, load_product_info
from esops_testbed.support import REPO_ROOT, run_playbook
from test_role_migration import dest_pid, one_node_inventory, role_vars

ESLOCAL = str(REPO_ROOT / "tools" / "eslocal.py")
PLAYBOOK = """\
- name: Migrate, then use the role's result in a later task
  hosts: es_dest_nodes
  gather_facts: false
  roles:
    - role: esops.migration.remote_reindex
  tasks:
    - name: Keep the result for the test
      ansible.builtin.copy:
        content: "{{{{ remote_reindex_result | to_json }}}}"
        dest: "{result_file}"
        mode: "0600"
      delegate_to: localhost
      run_once: true
"""


@pytest.fixture()
def unwhitelisted(source, dest):
    """dest without the whitelist line (so the role edits the file and restarts the node), guide data on source."""
    load_product_info(source.client)
    set_whitelist_line(dest.config_file, None)
    return source, dest


def run_role(tmp_path, source, dest, command, copy):
    dest.client.options(ignore_status=404).indices.delete(index=copy)
    result_file = tmp_path / "result.json"
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAYBOOK.format(result_file=result_file))
    run = run_playbook(playbook, inventory=one_node_inventory(tmp_path), extra_vars=role_vars(
        source, dest,
        remote_reindex_manage_whitelist=True,
        remote_reindex_elasticsearch_yml=str(dest.config_file),
        remote_reindex_node_log=eslocal.info(DEST)["nodes"][0]["log_file"],
        remote_reindex_restart_method="command",
        remote_reindex_restart_command=command,
        remote_reindex_restart_timeout=90,
        remote_reindex_poll_delay=1,
        remote_reindex_indices=[{"source": PRODUCT_INDEX, "dest": copy}],
    ))
    assert run.rc == 0, run.output[-4000:]
    return run, json.loads(result_file.read_text())


def test_a_string_command_is_split_like_shell_words_without_a_shell(unwhitelisted, tmp_path):
    source, dest = unwhitelisted
    spaced = tmp_path / "dir with space"
    spaced.mkdir()
    # The launcher behind a path with spaces (a script on this venv's python, which has esops_testbed).
    launcher = spaced / "eslocal launcher"
    launcher.write_text("#!%s\nimport sys\nfrom esops_testbed.eslocal import main\nsys.exit(main())\n" % sys.executable)
    launcher.chmod(0o755)
    pid_before = dest_pid()
    # Split on spaces this would be "'.../dir", "with", ...; shlex keeps the quoted path as one argument.
    run, result = run_role(tmp_path, source, dest, "'%s' restart %s" % (launcher, DEST), "string_command_copy")
    assert dest_pid() != pid_before
    assert "restart command on dest-node-0" in run.output

    # The result, as the later task of the play saw it.
    assert result["ok"] is True
    (index,) = result["indices"]
    assert (index["source"], index["dest"], index["total"], index["created"], index["updated"]) == (
        PRODUCT_INDEX, "string_command_copy", 6, 6, 0)
    assert (index["version_conflicts"], index["failures"]) == (0, 0)
    assert (index["source_count"], index["dest_count"]) == (6, dest.client.count(index="string_command_copy")["count"])
    assert index["verify"]["outcome"] == "match" and index["verify"]["level"]
    assert index["duration_seconds"] > 0 and index["docs_per_second"] > 0
    assert source.password not in json.dumps(result) and dest.password not in json.dumps(result)


def test_a_list_command_is_the_argv_and_env_sets_a_variable(unwhitelisted, tmp_path):
    source, dest = unwhitelisted
    mark = tmp_path / "mark"
    restart = (
        "import os, subprocess, sys; open(sys.argv[1], 'w').write(os.environ['ESOPS_MARK']); "
        "sys.exit(subprocess.call([sys.executable, sys.argv[2], 'restart', sys.argv[3]]))"
    )
    pid_before = dest_pid()
    run_role(tmp_path, source, dest,
             ["env", "ESOPS_MARK=set by env, with spaces", sys.executable, "-c", restart, str(mark), ESLOCAL, DEST],
             "list_command_copy")
    assert dest_pid() != pid_before
    assert mark.read_text() == "set by env, with spaces"
