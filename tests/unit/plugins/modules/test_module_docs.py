"""Every module's documentation parses, its EXAMPLES use FQCNs, and it documents exactly its argument spec."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
import yaml
from ansible.module_utils import basic

# The collection's root (also when ansible-test units runs this file from its own copy, where
# esops_testbed/support.py is not importable).
REPO_ROOT = Path(__file__).resolve().parents[4]
MODULES = sorted(path.stem for path in (REPO_ROOT / "plugins" / "modules").glob("*.py"))
# Task keywords an example may use beside the one module call.
TASK_KEYWORDS = ("name", "register", "when", "loop", "vars", "check_mode", "no_log", "until", "retries", "delay")


def fragment_text(name):
    """The text of a doc fragment (esops.migration.<file>[.<variable>]), loaded as Ansible loads it: by import,
    since named fragments are composed from shared text."""
    parts = name.split(".")
    loaded = importlib.import_module("ansible_collections.esops.migration.plugins.doc_fragments.%s" % parts[2])
    return getattr(loaded.ModuleDocFragment, parts[3].upper() if len(parts) > 3 else "DOCUMENTATION")


def doc_strings(path):
    """DOCUMENTATION, EXAMPLES and RETURN of a plugin file, read without importing it."""
    found = {}
    for node in ast.walk(ast.parse(Path(path).read_text())):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in ("DOCUMENTATION", "EXAMPLES", "RETURN"):
                    found[target.id] = node.value.value
    return found


def documented_options(module):
    documentation = yaml.safe_load(doc_strings(REPO_ROOT / "plugins" / "modules" / ("%s.py" % module))["DOCUMENTATION"])
    options = dict(documentation.get("options") or {})
    for fragment in documentation.get("extends_documentation_fragment") or []:
        options.update(yaml.safe_load(fragment_text(fragment)).get("options") or {})
    return options


class _Captured(Exception):
    pass


def argument_spec(module, monkeypatch):
    """The argument spec the module builds in main(), captured at AnsibleModule.__init__."""

    def capture(self, argument_spec, **kwargs):
        raise _Captured(argument_spec)

    monkeypatch.setattr(basic.AnsibleModule, "__init__", capture)
    loaded = importlib.import_module("ansible_collections.esops.migration.plugins.modules.%s" % module)
    with pytest.raises(_Captured) as captured:
        loaded.main()
    return captured.value.args[0]


@pytest.mark.parametrize("module", MODULES)
def test_documentation_examples_and_return_are_valid_yaml(module):
    docs = doc_strings(REPO_ROOT / "plugins" / "modules" / ("%s.py" % module))
    assert set(docs) == {"DOCUMENTATION", "EXAMPLES", "RETURN"}
    documentation = yaml.safe_load(docs["DOCUMENTATION"])
    assert documentation["module"] == module and documentation["short_description"]
    assert set(documentation["attributes"]) >= {"check_mode", "diff_mode", "idempotent"}
    assert isinstance(yaml.safe_load(docs["RETURN"]), dict)
    tasks = yaml.safe_load(docs["EXAMPLES"])
    assert tasks, "no examples"
    for task in tasks:
        actions = [key for key in task if key not in TASK_KEYWORDS]
        assert len(actions) == 1 and actions[0].count(".") == 2, "not an FQCN task: %s" % task
    assert any(task.get("esops.migration.%s" % module) is not None for task in tasks)


@pytest.mark.parametrize("module", MODULES)
def test_documented_options_are_exactly_the_argument_spec(module, monkeypatch):
    spec = argument_spec(module, monkeypatch)
    documented = documented_options(module)
    assert sorted(documented) == sorted(spec)
    for name, option in spec.items():
        doc = documented[name]
        assert doc.get("type", "str") == option.get("type", "str"), name
        assert doc.get("default") == option.get("default"), name
        if option.get("options"):
            assert sorted(doc["suboptions"]) == sorted(option["options"]), name
        for sub_name, sub_option in (option.get("options") or {}).items():
            sub_doc = doc["suboptions"][sub_name]
            assert sub_doc.get("default") == sub_option.get("default"), "%s.%s" % (name, sub_name)
            assert bool(sub_doc.get("required")) == bool(sub_option.get("required")), "%s.%s" % (name, sub_name)


@pytest.mark.parametrize("module", MODULES)
def test_every_secret_option_is_no_log(module, monkeypatch):
    spec = argument_spec(module, monkeypatch)

    def walk(options, prefix=""):
        for name, option in options.items():
            yield prefix + name, option
            yield from walk(option.get("options") or {}, prefix + name + ".")

    for name, option in walk(spec):
        secret = any(word in name for word in ("password", "passphrase", "api_key", "token", "headers"))
        assert bool(option.get("no_log")) == secret, name


def test_the_es_action_group_lists_every_module_that_talks_to_a_cluster():
    runtime = yaml.safe_load((REPO_ROOT / "meta" / "runtime.yml").read_text())
    with_connection = sorted(
        module for module in MODULES if "esops.migration.connection" in yaml.safe_load(
            doc_strings(REPO_ROOT / "plugins" / "modules" / ("%s.py" % module))["DOCUMENTATION"]
        ).get("extends_documentation_fragment", [])
    )
    assert with_connection == ["es_index", "es_info", "es_mirror_deletes", "es_preflight", "es_reindex", "es_reindex_task", "es_verify"]
    assert sorted(runtime["action_groups"]["es"]) == with_connection
