#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: es_reindex_whitelist
short_description: Manage reindex.remote.whitelist or allowlist (and the reindex.ssl settings) in a node's YAML file
version_added: 0.1.0
description:
  - Ensures C(host:port) entries are present in, or absent from, the C(reindex.remote.whitelist) setting of a
    destination node's C(elasticsearch.yml), so that the node accepts a reindex from those remote clusters.
  - On OpenSearch 2.0 and later the setting is called C(reindex.remote.allowlist) (the whitelist name still works
    on 2.x but is deprecated, and an OpenSearch 3.x node refuses to start with it); choose the name with
    O(setting). The P(esops.migration.es_info#module) module returns the name a running cluster takes.
  - A file that holds the other name has that line moved to O(setting), its entries kept (RV(moved_from)); only
    the key of that setting is renamed, in whatever form it is written. A file holding both names is refused.
  - Reads the setting in every form found in real files, a flat dotted key holding a comma-separated string or a
    YAML list, a nested C(reindex:) / C(remote:) / C(whitelist:) mapping, or a C(>-) block scalar, and rewrites only
    the lines of that setting. Every other byte of the file (comments, order, line endings) stays as it was.
  - When the setting is absent, one line setting C(reindex.remote.whitelist) to the quoted C(host:port) entries is
    appended at the end of the file.
  - The whitelist is a static node setting; the node must be restarted to load it. The module does not restart
    anything; it returns RV(restart_needed); the C(esops.migration.remote_reindex) role restarts the nodes one at a time.
  - With O(ssl), also manages the C(reindex.ssl.*) settings the destination node needs to reindex from a
    C(https) remote (which certificate authorities it trusts, how it verifies the remote, its client certificate),
    under the same rules; only the given suboptions are managed, each found flat or nested under C(reindex:) /
    C(ssl:), and one that is absent is appended as a flat C(reindex.ssl.<key>) line.
  - C(${VAR}) environment variable placeholders elsewhere in the file are left as they are, and an entry such as
    V(${SOURCE_HOST}:9200) is accepted (Elasticsearch substitutes the variable before it reads the setting).
  - Runs on the destination node (the host whose file is edited); it needs no connection to Elasticsearch.
  - A symbolic link is followed, the file it points to is edited (and backed up) and the link kept. The file is
    replaced through a temporary file in its directory; when the directory or the file cannot be written, the
    module fails naming it before writing anything.
author:
  - esops.migration contributors (@esops)
requirements:
  - PyYAML (a dependency of ansible-core, so normally present) on the node whose file is edited
extends_documentation_fragment:
  - esops.migration.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  path:
    description:
      - Path of the node's C(elasticsearch.yml).
    type: path
    default: /etc/elasticsearch/elasticsearch.yml
  entries:
    description:
      - C(host:port) patterns, as Elasticsearch matches them against the remote's host and port, for example
        V(10.0.0.1:9200), V(es-source.example.com:9243), V(*.example.com:9200) or V([::1]:9200).
      - No scheme and no path. Use the P(esops.migration.whitelist_entry#filter) filter to derive an entry from a URL.
      - A pattern that accepts every host (V(*:*)) is refused, because Elasticsearch refuses to start with it.
    type: list
    elements: str
    required: true
  state:
    description:
      - V(present) adds the entries that are missing, keeping the existing ones and their order.
      - V(absent) removes the entries; when none remain, a flat setting is removed from the file.
    type: str
    choices: [present, absent]
    default: present
  setting:
    description:
      - Name of the setting to manage in the file.
      - V(reindex.remote.whitelist) for Elasticsearch (every version) and OpenSearch 1.x.
      - V(reindex.remote.allowlist) for OpenSearch 2.0 and later; required on OpenSearch 3.x, whose nodes do not
        start with the whitelist name.
    type: str
    choices: [reindex.remote.whitelist, reindex.remote.allowlist]
    default: reindex.remote.whitelist
    version_added: 0.2.0
  exclusive:
    description:
      - With O(state=present), make the whitelist exactly O(entries), removing any others.
    type: bool
    default: false
  create:
    description:
      - Create the file when it does not exist. Otherwise a missing file is an error.
    type: bool
    default: false
  backup:
    description:
      - Keep a timestamped copy of the file before changing it.
    type: bool
    default: false
  ssl:
    description:
      - C(reindex.ssl.*) settings for reindexing from a C(https) remote. Only the suboptions given are managed;
        the others are left as the file has them.
      - Values are written double-quoted; lists keep the block or flow style the file uses (a flow list when
        appended).
    type: dict
    suboptions:
      certificate_authorities:
        description:
          - Paths of PEM files holding the certificate authorities the node trusts for the remote
            (C(reindex.ssl.certificate_authorities)). Relative paths are resolved by Elasticsearch against its
            config directory.
          - An empty list removes a flat setting.
        type: list
        elements: path
      verification_mode:
        description:
          - How the node verifies the remote's certificate (C(reindex.ssl.verification_mode)).
          - V(none) disables verification; use it only for a test.
        type: str
        choices: [full, certificate, none]
      certificate:
        description:
          - Path of the PEM client certificate the node presents to the remote (C(reindex.ssl.certificate)).
        type: path
      key:
        description:
          - Path of the PEM private key of O(ssl.certificate) (C(reindex.ssl.key)).
        type: path
      key_passphrase:
        description:
          - Passphrase of O(ssl.key) (C(reindex.ssl.key_passphrase)), written to the file in clear text.
          - Never shown in the diff or in the result (shown as V(********)). Prefer the secure setting
            C(reindex.ssl.secure_key_passphrase) in the Elasticsearch keystore, which this module does not manage.
        type: str
      supported_protocols:
        description:
          - TLS protocols the node may use to connect to the remote (C(reindex.ssl.supported_protocols)), for
            example V(TLSv1.3) and V(TLSv1.2).
          - An empty list removes a flat setting.
        type: list
        elements: str
notes:
  - The file is written atomically (a temporary file renamed over it), keeping its mode and owner.
  - A file that is not valid YAML, that sets the whitelist or a managed C(reindex.ssl) setting twice (flat and
    nested), or that sets both C(reindex.remote.whitelist) and C(reindex.remote.allowlist), is refused and left
    untouched.
  - The C(reindex.ssl) settings are static too; a change to them also sets RV(restart_needed).
seealso:
  - name: Reindex from a remote cluster
    description: Elasticsearch documentation of reindex-from-remote and its whitelist.
    link: https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-reindex.html#reindex-from-remote
"""

EXAMPLES = r"""
- name: Allow the destination nodes to reindex from the source cluster
  esops.migration.es_reindex_whitelist:
    path: /etc/elasticsearch/elasticsearch.yml
    entries:
      - "{{ 'https://es-source.example.com:9243' | esops.migration.whitelist_entry }}"
    backup: true
  register: whitelist

- name: Restart the node when the whitelist changed
  ansible.builtin.systemd_service:
    name: elasticsearch
    state: restarted
  when: whitelist.restart_needed

- name: Allow the source on an OpenSearch 3 node (an existing whitelist line is moved to the allowlist)
  esops.migration.es_reindex_whitelist:
    path: /etc/opensearch/opensearch.yml
    setting: reindex.remote.allowlist
    entries:
      - es-source.example.com:9200
  register: allowlist

- name: Allow an https source whose certificate is signed by a private CA
  esops.migration.es_reindex_whitelist:
    entries:
      - es-source.example.com:9243
    ssl:
      certificate_authorities:
        - /etc/elasticsearch/certs/source-ca.crt
      verification_mode: full
  register: whitelist

- name: Remove the source once the migration is over
  esops.migration.es_reindex_whitelist:
    entries:
      - es-source.example.com:9243
    state: absent
"""

RETURN = r"""
whitelist:
  description: The entries of the managed setting (O(setting)) after the change (in check mode, as they would be).
  returned: always
  type: list
  elements: str
  sample: ["10.0.0.1:9200", "es-source.example.com:9243"]
added:
  description: Entries added.
  returned: always
  type: list
  elements: str
removed:
  description: Entries removed.
  returned: always
  type: list
  elements: str
setting:
  description: Name of the setting the file holds the entries in, O(setting).
  returned: always
  type: str
  sample: reindex.remote.allowlist
  version_added: 0.2.0
moved_from:
  description: The other setting name whose line was moved to O(setting) (its key renamed, entries kept), or null.
  returned: always
  type: str
  sample: reindex.remote.whitelist
  version_added: 0.2.0
restart_needed:
  description: Whether the file changed, so that the node must be restarted to load the new settings.
  returned: always
  type: bool
ssl:
  description:
    - The managed C(reindex.ssl) settings after the change (in check mode, as they would be), keyed by suboption;
      only the suboptions given in O(ssl). C(key_passphrase) is shown as V(********).
  returned: always
  type: dict
  sample: {"certificate_authorities": ["/etc/elasticsearch/certs/source-ca.crt"], "verification_mode": "full"}
backup_file:
  description: Path of the backup copy, when O(backup=true) and the file changed.
  returned: changed and backup requested
  type: str
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.esops.migration.plugins.module_utils._whitelist import (
    SSL_PREFIX,
    YAML_IMPORT_ERROR,
    WhitelistError,
    REMOTE_SETTINGS,
    WHITELIST,
    mask_setting,
    plan_remote,
    plan_setting,
)

MASK = "********"
# Suboptions of ssl in the order their settings are edited; the secret one is masked in diff and result.
SSL_OPTIONS = ("certificate_authorities", "verification_mode", "certificate", "key", "key_passphrase", "supported_protocols")
SECRET_SSL_OPTIONS = ("key_passphrase",)


def plan_ssl(text, ssl):
    """(new_text, effective values) for the given ssl suboptions; secrets are masked in the values."""
    effective = {}
    for name in SSL_OPTIONS:
        value = (ssl or {}).get(name)
        if value is None:
            continue
        if isinstance(value, str) and not value.strip():
            raise WhitelistError("ssl.%s is empty; give a value or leave it out" % name)
        text, _before, after = plan_setting(text, SSL_PREFIX + name, value)
        effective[name] = MASK if name in SECRET_SSL_OPTIONS else after
    return text, effective


def masked(text):
    for name in SECRET_SSL_OPTIONS:
        text = mask_setting(text, SSL_PREFIX + name, MASK)
    return text


def read_text(module, path, create):
    if not os.path.exists(path):
        if create:
            return None
        module.fail_json(msg="%s does not exist; check the path or set create: true to create it" % path)
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        module.fail_json(msg="Cannot read %s: %s" % (path, exc))


def writable_problem(path):
    """Why the file at `path` (already resolved) cannot be replaced atomically, or None (checked before writing)."""
    directory = os.path.dirname(path)
    if not os.access(directory, os.W_OK | os.X_OK):
        return ("cannot create a file in %s, where %s is replaced through a temporary file: make the directory "
                "writable for the user running the module (become: true; check its mode, an immutable attribute "
                "set with chattr +i, or a read-only mount)" % (directory, os.path.basename(path)))
    if os.path.exists(path) and not os.access(path, os.W_OK):
        return ("%s cannot be replaced: make it writable for the user running the module (become: true; check its "
                "mode, an immutable attribute set with chattr +i, or a read-only mount)" % path)
    return None


def write_text(module, path, text):
    """Replace the file at `path` (already resolved) with `text`, atomically; on failure nothing is left behind."""
    directory = os.path.dirname(path)
    try:
        handle, tmp_path = tempfile.mkstemp(prefix=".elasticsearch.yml.", dir=directory)
    except OSError as exc:
        module.fail_json(msg="Cannot write %s: no temporary file can be created in %s (%s). Make the directory "
                         "writable for the user running the module. Nothing was written." % (path, directory, exc))
    module.add_cleanup_file(tmp_path)  # removed by fail_json too, should atomic_move fail
    try:
        with os.fdopen(handle, "wb") as tmp:
            tmp.write(text.encode("utf-8"))
    except OSError as exc:
        module.fail_json(msg="Cannot write a temporary file in %s: %s. Nothing was written." % (directory, exc))
    module.atomic_move(tmp_path, path)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/elasticsearch/elasticsearch.yml"),
            entries=dict(type="list", elements="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            setting=dict(type="str", choices=list(REMOTE_SETTINGS), default=WHITELIST),
            exclusive=dict(type="bool", default=False),
            create=dict(type="bool", default=False),
            backup=dict(type="bool", default=False),
            ssl=dict(
                type="dict",
                options=dict(
                    certificate_authorities=dict(type="list", elements="path"),
                    verification_mode=dict(type="str", choices=["full", "certificate", "none"]),
                    certificate=dict(type="path"),
                    key=dict(type="path"),
                    key_passphrase=dict(type="str", no_log=True),
                    supported_protocols=dict(type="list", elements="str"),
                ),
            ),
        ),
        supports_check_mode=True,
    )
    if YAML_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib("PyYAML"), exception=YAML_IMPORT_ERROR)
    params = module.params
    path = params["path"]
    if os.path.isdir(path):
        module.fail_json(msg="%s is a directory; give the path of elasticsearch.yml itself" % path)
    existing = read_text(module, path, params["create"])
    text = existing or ""
    try:
        remote = plan_remote(text, params["entries"], params["state"], params["exclusive"], params["setting"])
        new_text, ssl = plan_ssl(remote.text, params["ssl"])
    except WhitelistError as exc:
        module.fail_json(msg="%s: %s. Nothing was written." % (path, exc))

    changed = new_text != text
    result = dict(changed=changed, whitelist=remote.after, added=remote.added, removed=remote.removed, ssl=ssl,
                  setting=params["setting"], moved_from=remote.moved_from, restart_needed=changed)
    if module._diff:
        result["diff"] = dict(before=masked(text), after=masked(new_text), before_header=path, after_header=path)
    if changed and not module.check_mode:
        # A symlinked file (configuration managed elsewhere) is edited at its target, and the link kept.
        target = os.path.realpath(path)
        problem = writable_problem(target)
        if problem:
            module.fail_json(msg="%s: %s. Nothing was written." % (path, problem), **result)
        if params["backup"] and existing is not None:
            result["backup_file"] = module.backup_local(target)
        write_text(module, target, new_text)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
