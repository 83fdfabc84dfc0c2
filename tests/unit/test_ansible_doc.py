"""ansible-doc renders the role's argument spec and every module's documentation (a subprocess, no cluster).

At the root of tests/unit, not under plugins/: it checks the collection as a whole, modules and role together.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(path.stem for path in (REPO_ROOT / "plugins" / "modules").glob("*.py"))
ROLE_SPEC = REPO_ROOT / "roles" / "remote_reindex" / "meta" / "argument_specs.yml"


def collections_path():
    """A directory holding ansible_collections/esops/migration for this checkout.

    Under ansible-test units the collection already sits at .../ansible_collections/esops/migration;
    in the repository, esops_testbed/support.py links it into .build/collections.
    """
    if REPO_ROOT.parts[-3:] == ("ansible_collections", "esops", "migration"):
        return REPO_ROOT.parents[2]
    from esops_testbed import support  # pylint: disable=import-outside-toplevel  # installed by tools/setup.sh

    support.ensure_collection_tree()
    return support.COLLECTIONS_PATH


def ansible_doc_command():
    beside = Path(sys.executable).parent / "ansible-doc"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ansible-doc")
    return [found] if found else [sys.executable, "-m", "ansible.cli.doc"]


@pytest.fixture(scope="module")
def ansible_doc(tmp_path_factory):
    home = tmp_path_factory.mktemp("ansible-home")
    config = home / "ansible.cfg"
    config.write_text("[defaults]\n")
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(collections_path()),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="0",
        ANSIBLE_CONFIG=str(config),
        ANSIBLE_HOME=str(home),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        PAGER="cat",
    )

    def run(*args):
        proc = subprocess.run(
            ansible_doc_command() + list(args),
            env=env, capture_output=True, text=True, timeout=120, cwd=tempfile.gettempdir(), check=False,
        )
        assert proc.returncode == 0, "ansible-doc %s exited %s:\n%s%s" % (" ".join(args), proc.returncode, proc.stdout, proc.stderr)
        return proc.stdout

    return run


def examples_of(module):
    """The EXAMPLES string of a module file, read without importing it."""
    tree = ast.parse((REPO_ROOT / "plugins" / "modules" / ("%s.py" % module)).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "EXAMPLES" for target in node.targets):
            return node.value.value
    raise AssertionError("%s has no EXAMPLES" % module)


def option_lines(text):
    """{name: required} of the options ansible-doc lists ("- name  ..." or, when required, "= name  ...")."""
    return {
        line[2:].split()[0]: line.startswith("= ")
        for line in text.splitlines()
        if line[:2] in ("- ", "= ") and len(line) > 2
    }


def test_role_doc_shows_the_argument_spec(ansible_doc):
    out = ansible_doc("-t", "role", "esops.migration.remote_reindex")
    assert "ROLE: *esops.migration.remote_reindex*" in out or "esops.migration.remote_reindex" in out.splitlines()[0]
    assert "ENTRY POINT: *main*" in out
    spec = yaml.safe_load(ROLE_SPEC.read_text())["argument_specs"]["main"]["options"]
    assert {"remote_reindex_source_url", "remote_reindex_indices"} <= set(spec)
    shown = option_lines(out)
    assert set(spec) <= set(shown)
    for name, option in spec.items():
        assert shown[name] == bool(option.get("required")), name


def test_role_is_listed(ansible_doc):
    assert "esops.migration.remote_reindex" in ansible_doc("-t", "role", "-l", "esops.migration")


@pytest.mark.parametrize("module", MODULES)
def test_module_doc_shows_options_and_examples(ansible_doc, module):
    out = ansible_doc("esops.migration.%s" % module)
    assert out.startswith("> MODULE esops.migration.%s" % module) or "esops.migration.%s" % module in out.splitlines()[0]
    assert "EXAMPLES:" in out and "RETURN VALUES:" in out
    examples = out.split("EXAMPLES:", 1)[1].split("RETURN VALUES:", 1)[0]
    assert "esops.migration.%s:" % module in examples
    for task in yaml.safe_load(examples_of(module)):
        assert task["name"] in examples, task["name"]


def test_every_module_is_listed(ansible_doc):
    out = ansible_doc("-l", "esops.migration")
    for module in MODULES:
        assert "esops.migration.%s" % module in out, module
