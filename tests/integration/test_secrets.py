"""Issue 13: a secret given in a URL or a password option appears in no output of any failure path.

Every module is run through ansible-playbook -vvv and the whole output (stdout and stderr) and the registered
result are searched for the secret.
"""

from __future__ import annotations

import json

import pytest

from esops_testbed.guide_data import PRODUCT_INDEX, load_product_info
from esops_testbed.support import run_module

SECRET = "Zq9-s3cr3t-pw"


def failure_paths(source, dest):
    """(module, args) for every failure path reachable with a secret in a URL or a password option."""
    remote_with_secret = "http://%s:%s@%s" % (source.username, SECRET, source.host_port)
    remote = dict(host=source.url, username=source.username, password=source.password)
    unreachable = "http://127.0.0.1:9"
    return [
        ("es_reindex", dict(dest.connection(), remote=dict(host=remote_with_secret), source_index=PRODUCT_INDEX)),
        ("es_reindex", dict(dest.connection(), remote=dict(host="%s:%s@%s" % (source.username, SECRET, source.host_port)),
                            source_index=PRODUCT_INDEX)),
        ("es_reindex", dict(dest.connection(), remote=dict(remote, password=SECRET), source_index=PRODUCT_INDEX)),
        ("es_reindex", dict(dest.connection(), remote=dict(host=remote_with_secret), source_index=PRODUCT_INDEX,
                            dest_index="bad*")),
        ("es_reindex", dict(dest.connection(), remote=dict(host=unreachable, username="u", password=SECRET),
                            source_index=["a", "b"])),
        ("es_reindex", dict(dest.connection(), remote=dict(host=remote_with_secret), source_index=PRODUCT_INDEX,
                            rename_pattern="([")),
        ("es_reindex", dict(dest.connection(), remote=dict(remote, password=SECRET), source_index=["x*"])),
        ("es_reindex", dict(dest.connection(), remote=dict(host=unreachable, username="u", password=SECRET),
                            source_index=PRODUCT_INDEX)),
        ("es_index", dict(dest.connection(), name="secret_copy",
                          copy_from=dict(index=PRODUCT_INDEX, hosts=[remote_with_secret]))),
        ("es_index", dict(dest.connection(), name="secret_copy", copy_from=dict(
            index=PRODUCT_INDEX, hosts=[source.url], username=source.username, password=SECRET))),
        ("es_index", dict(dest.connection(), name="secret_copy", copy_from=dict(
            index=PRODUCT_INDEX, hosts=[unreachable], username=source.username, password=SECRET), max_retries=0)),
        ("es_index", dict(dest.connection(), hosts=["http://%s:%s@%s" % (dest.username, SECRET, dest.host_port)],
                          name="secret_copy")),
        ("es_index", dict(dest.connection(), password=SECRET, name="secret_copy")),
        ("es_verify", dict(dest.connection(), source=dict(index=PRODUCT_INDEX, hosts=[remote_with_secret]),
                           dest_index="secret_copy")),
        ("es_verify", dict(dest.connection(), source=dict(index=PRODUCT_INDEX, hosts=[source.url],
                                                          username=source.username, password=SECRET),
                           dest_index="secret_copy")),
        ("es_verify", dict(dest.connection(), source=dict(source.connection(), index=PRODUCT_INDEX),
                           hosts=["http://%s:%s@%s" % (dest.username, SECRET, dest.host_port)], dest_index="x")),
        ("es_verify", dict(dest.connection(), source=dict(index=PRODUCT_INDEX, hosts=[unreachable],
                                                          username="u", password=SECRET, max_retries=0),
                           dest_index="secret_copy")),
    ]


@pytest.mark.slow
def test_no_failure_path_shows_a_secret(whitelisted):
    source, dest = whitelisted
    load_product_info(source.client)
    leaks = []
    for module, args in failure_paths(source, dest):
        run = run_module(module, args, verbosity=3)
        assert run.result.get("failed"), (module, run.result.get("msg"))
        shown = run.output + json.dumps(run.result)
        if SECRET in shown:
            at = shown.index(SECRET)
            leaks.append("%s %s: ...%s..." % (module, run.result.get("msg"), shown[max(0, at - 200):at + 50]))
    assert not leaks, "\n\n".join(leaks)
