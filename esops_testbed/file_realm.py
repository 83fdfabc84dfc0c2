"""Users and roles of a local node's file realm, for the privilege tests.

Native users and roles (PUT _security/...) need the .security index, whose analyzers come from the analysis-common
module that the distribution eslocal assembles does not hold; the file realm (config/roles.yml, config/users) needs
nothing and the node reloads it within seconds.
"""

from __future__ import annotations

import grp
import os
import shutil
import time
from pathlib import Path

import yaml
from elasticsearch import Elasticsearch

from esops_testbed import eslocal, realm_files


def _config_dir(cluster):
    return Path(eslocal.info(cluster.name)["nodes"][0]["config_file"]).parent


def _give_to_node_user(cluster):
    for name in ("roles.yml", "users", "users_roles"):
        path = _config_dir(cluster) / name
        if path.exists() and os.getuid() == 0:
            shutil.chown(path, user=eslocal.NODE_USER, group=eslocal.NODE_USER if _group_exists() else None)


def _group_exists():
    try:
        grp.getgrnam(eslocal.NODE_USER)
        return True
    except KeyError:
        return False


def set_role(cluster, role, cluster_privileges, index_names, index_privileges):
    roles_file = _config_dir(cluster) / "roles.yml"
    roles = (yaml.safe_load(roles_file.read_text()) if roles_file.exists() else None) or {}
    roles[role] = {"cluster": list(cluster_privileges),
                   "indices": [{"names": list(index_names), "privileges": list(index_privileges)}]}
    roles_file.write_text(yaml.safe_dump(roles))
    _give_to_node_user(cluster)


def remove(cluster, username, role):
    realm_files.remove_user(_config_dir(cluster), username)
    roles_file = _config_dir(cluster) / "roles.yml"
    roles = (yaml.safe_load(roles_file.read_text()) if roles_file.exists() else None) or {}
    roles.pop(role, None)
    roles_file.write_text(yaml.safe_dump(roles) if roles else "")
    _give_to_node_user(cluster)


def set_user(cluster, username, password, role):
    realm_files.set_user(_config_dir(cluster), username, password, [role])
    _give_to_node_user(cluster)


def wait_for_privileges(cluster, username, password, monitor, timeout=60):
    """Wait until the node has reloaded the files: the user authenticates and holds monitor or not, as expected."""
    client = Elasticsearch(cluster.url, basic_auth=(username, password), request_timeout=10)
    deadline, answer = time.time() + timeout, None
    while time.time() < deadline:
        try:
            answer = client.security.has_privileges(cluster=["monitor"])
            if answer["cluster"]["monitor"] is monitor:
                return
        except Exception as error:  # noqa: BLE001 - not reloaded yet (401) is what is waited out
            answer = error
        time.sleep(1)
    raise AssertionError("the node did not load the file realm user %s: %s" % (username, answer))
