# -*- coding: utf-8 -*-
# Copyright: esops.migration contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Problems a migration would meet on its destination, found from read-only answers of both clusters (pure).

Room: the free disk of the destination's data nodes, less what the high disk watermark keeps free, against the
primary store size of the source indices. Data streams: a destination that is a data stream, an alias onto one,
or a new name an index template with data_stream turns into one, takes only op_type create.
Answers are as Ansible's uri module registers them (status, json).
"""

from __future__ import annotations

import re

from ansible_collections.esops.migration.plugins.module_utils._preflight import hint_names
from ansible_collections.esops.migration.plugins.module_utils._reindex import matching_template

DISK = "cluster.routing.allocation.disk."
THRESHOLD_ENABLED = DISK + "threshold_enabled"
HIGH = DISK + "watermark.high"
HIGH_MAX_HEADROOM = DISK + "watermark.high.max_headroom"
BYTE_UNITS = {"": 1, "b": 1, "kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3, "tb": 1024 ** 4, "pb": 1024 ** 5}
BYTES = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?b)?\s*$", re.I)


def ok_json(response):
    """The JSON body of an answer with HTTP 200, else None."""
    if isinstance(response, dict) and response.get("status") == 200 and isinstance(response.get("json"), dict):
        return response["json"]
    return None


def parse_bytes(text):
    """Bytes of a byte size value ('500mb', '1gb', '10b'), or None when it is not one."""
    match = BYTES.match(str(text))
    if not match or (match.group(2) is None and match.group(1) not in ("0",)):
        return None
    return int(float(match.group(1)) * BYTE_UNITS[(match.group(2) or "").lower()])


def parse_watermark(text):
    """('ratio', used fraction) for '90%' or '0.9', ('bytes', free bytes to keep) for '500mb', or None."""
    text = str(text).strip()
    try:
        ratio = float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
    except ValueError:
        size = parse_bytes(text)
        return None if size is None else ("bytes", size)
    return ("ratio", ratio) if 0.0 <= ratio <= 1.0 else None


def flatten(settings, prefix=""):
    """Flat setting names ('a.b.c') of a nested settings object (keys may already hold dots)."""
    flat = {}
    for key, value in (settings or {}).items():
        if isinstance(value, dict):
            flat.update(flatten(value, prefix + key + "."))
        else:
            flat[prefix + key] = value
    return flat


def effective_settings(answer):
    """The cluster's settings as they apply: transient over persistent over defaults (include_defaults)."""
    body = ok_json(answer) or {}
    effective = {}
    for level in ("defaults", "persistent", "transient"):
        effective.update(flatten(body.get(level)))
    return effective


def kept_free(total, settings):
    """(bytes the high watermark keeps free on a disk of `total` bytes, its description)."""
    if str(settings.get(THRESHOLD_ENABLED, "true")).lower() == "false":
        return 0, "%s is false, so no disk watermark applies" % THRESHOLD_ENABLED
    text = settings.get(HIGH, "90%")
    watermark = parse_watermark(text) or ("ratio", 0.9)
    if watermark[0] == "bytes":
        return watermark[1], "%s %s" % (HIGH, text)
    keep = int(round(total * (1.0 - watermark[1])))
    max_headroom = parse_bytes(settings.get(HIGH_MAX_HEADROOM, ""))
    if max_headroom is not None and max_headroom < keep:
        return max_headroom, "%s %s (at most %s kept free)" % (HIGH, text, settings[HIGH_MAX_HEADROOM])
    return keep, "%s %s" % (HIGH, text)


def is_data_node(node):
    roles = node.get("roles")
    return roles is None or any(role == "data" or role.startswith("data_") for role in roles)


def node_room(fs_answer, settings_answer):
    """[(node name, available bytes, room below the high watermark)] of every data node, and the watermark said."""
    settings = effective_settings(settings_answer)
    rooms, said = [], "%s %s" % (HIGH, settings.get(HIGH, "90%"))
    for node in sorted(((ok_json(fs_answer) or {}).get("nodes") or {}).values(), key=lambda node: node.get("name", "")):
        total = ((node.get("fs") or {}).get("total") or {})
        if not is_data_node(node) or "available_in_bytes" not in total:
            continue
        keep, said = kept_free(total.get("total_in_bytes", 0), settings)
        available = total["available_in_bytes"]
        rooms.append((node.get("name"), available, max(0, available - keep)))
    return rooms, said


def primary_store(stats_results):
    """({source index or pattern: primary store bytes}, [patterns whose size the source did not give])."""
    sizes, unknown = {}, []
    for result in stats_results:
        pattern = (result.get("item") or {}).get("source")
        body = ok_json(result)
        size = (((body or {}).get("_all") or {}).get("primaries") or {}).get("store", {}).get("size_in_bytes")
        if size is None:
            unknown.append(pattern)
        else:
            sizes[pattern] = size
    return sizes, unknown


def human(size):
    """'1.5 GiB'-style size for the messages, with the exact bytes."""
    value, unit = float(size), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            break
        value /= 1024.0
    return "%d bytes" % size if unit == "B" else "%.1f %s (%d bytes)" % (value, unit, size)


def room_problems(stats_results, fs_answer, settings_answer):
    """Why the destination's data nodes lack room for the source indices' primaries (empty list when they have it)."""
    sizes, _unknown = primary_store(stats_results)
    rooms, watermark = node_room(fs_answer, settings_answer)
    need = sum(sizes.values())
    if not rooms or not sizes:
        return []  # nothing to compare: reported as not checked by room_notes
    room = sum(node[2] for node in rooms)
    if need <= room:
        return []
    nodes = ", ".join("%s %s free, %s usable" % (name, human(available), human(usable))
                      for name, available, usable in rooms)
    indices = ", ".join("%s %s" % (name, human(size)) for name, size in sorted(sizes.items()))
    return ["The destination has not enough disk: the source indices need %s of primary store (%s), and the "
            "destination's data nodes have %s usable below the high disk watermark (%s; %s). Free disk on the "
            "destination, add data nodes, or migrate fewer indices at a time." % (human(need), indices, human(room),
                                                                                  watermark, nodes)]


def room_notes(stats_results, fs_answer):
    """Why the room check could not be made, for the plan (not a failure)."""
    _sizes, unknown = primary_store(stats_results)
    notes = []
    if unknown:
        notes.append("The source gave no primary store size for %s (GET <index>/_stats/store needs the index "
                     "privilege monitor): room not checked for them." % ", ".join(str(name) for name in unknown))
    if ok_json(fs_answer) is None:
        notes.append("The destination did not answer GET _nodes/stats/fs (cluster privilege monitor): room not "
                     "checked.")
    return notes


def data_stream_names(answer):
    return {stream.get("name") for stream in (ok_json(answer) or {}).get("data_streams") or []}


def data_stream_behind(dest, exists, alias_answer, streams, templates_answer):
    """What makes writing to `dest` write to a data stream (a sentence fragment), or None."""
    if dest in streams:
        return "is a data stream"
    onto = sorted(set(ok_json(alias_answer) or {}) & streams)
    if onto:
        return "is an alias onto the data stream %s" % ", ".join(onto)
    if exists:
        return None
    templates = (ok_json(templates_answer) or {}).get("index_templates") or []
    template = matching_template(templates, dest)
    if template is not None and "data_stream" in template:
        return "does not exist yet and an index template with data_stream makes it a data stream"
    return None


def data_stream_problems(dests, mode, streams_answer, templates_answer, names=None):
    """Why `mode` cannot write into the destinations that are data streams.

    dests: [(dest name, exists (bool), answer of GET _alias/<dest>)].
    """
    names = hint_names(names)
    if mode == "create":
        return []
    streams = data_stream_names(streams_answer)
    problems = []
    for dest, exists, alias_answer in dests:
        behind = data_stream_behind(dest, exists, alias_answer, streams, templates_answer)
        if behind:
            why = "overwrite sends index operations" if mode == "overwrite" else \
                "sync sends external versions, which create refuses"
            problems.append("Destination '%s' %s, which accepts only op_type create: %s %s cannot write there (%s). "
                            "Set %s: create (documents already there are left as they are)."
                            % (dest, behind, names["mode"], mode, why, names["mode"]))
    return problems


def dest_root_problems(response, url, username, names=None):
    """Problems found by GET / on the destination with the destination's credentials."""
    names = hint_names(names)
    status = response.get("status") if isinstance(response, dict) else None
    if not isinstance(status, int) or status <= 0:
        return ["The destination %s does not answer from the controller: %s. Check %s."
                % (url, (response or {}).get("msg", "no answer"), names["dest_hosts"])]
    if status == 401:
        return ["The destination %s refused the credentials of user '%s' (HTTP 401): check %s and %s."
                % (url, username, names["dest_username"], names["dest_password"])]
    return []


def dest_problems(answers, mode, url, username, names=None):
    """Every problem found on the destination (and the room the source indices need there).

    answers: dict with root, fs, disk_settings, stats (results of the source _stats/store loop), streams,
    templates, and dests ([(dest name, exists, GET _alias answer)]).
    """
    problems = dest_root_problems(answers.get("root"), url, username, names)
    if problems:
        return problems
    problems += room_problems(answers.get("stats") or [], answers.get("fs"), answers.get("disk_settings"))
    return problems + data_stream_problems(answers.get("dests") or [], mode, answers.get("streams"),
                                           answers.get("templates"), names)


def dest_problems_of(answers, mode, url, username, names=None):
    """Every problem found on the destination, from the answers as uri loops register them (or es_preflight returns
    them): exists and aliases hold one answer per index entry, with the entry as item."""
    exists = answers.get("exists") or []
    aliases = (answers.get("aliases") or []) + [{}] * (len(exists) - len(answers.get("aliases") or []))
    dests = [(dest_of(found), found.get("status") == 200, alias) for found, alias in zip(exists, aliases)]
    return dest_problems(dict(answers, dests=dests), mode, url, username or "(none)", names)


def entry_dest(entry):
    """The destination index of an index entry: its dest, else its source."""
    return entry.get("dest") or entry.get("source")


def dest_of(result):
    """The destination index of the entry an answer was asked for (its item)."""
    return entry_dest(result.get("item") or {})


# --- The plan: what the role will do, from read-only answers and check-mode results -------------------------------

def loaded_values(nodes_settings, setting):
    """{node name: [entries]} of the remote hosts setting every destination node has loaded (flat settings)."""
    loaded = {}
    for node in ((ok_json(nodes_settings) or {}).get("nodes") or {}).values():
        settings = node.get("settings") or {}
        value = settings.get(setting)
        if value is None:  # a list setting comes flat as setting.0, setting.1, ...
            value = [item for key, item in sorted(settings.items()) if key.startswith(setting + ".")]
        loaded[node.get("name")] = value if isinstance(value, list) else [part.strip() for part in str(value).split(",")]
    return loaded


def node_edits(checks, restart_method):
    """([{host, path}] whose file the whitelist step changes, [hosts the role restarts]).

    checks: [{host, path, changed}], changed as es_reindex_whitelist reported it in check mode.
    """
    edits = [dict(host=check.get("host"), path=check.get("path")) for check in checks if check.get("changed")]
    restarts = [edit["host"] for edit in edits] if restart_method != "none" else []
    return edits, restarts


def index_plan(items, exists_results, count_results):
    """[{source, dest, create, documents}] per index: whether the role creates it, and the documents to copy."""
    plan = []
    for item, exists, count in zip(items, exists_results, count_results):
        documents = (ok_json(count) or {}).get("count")
        if documents is not None and item.get("max_docs") is not None:
            documents = min(documents, int(item["max_docs"]))
        plan.append(dict(source=item.get("source"), dest=entry_dest(item),
                         create=(exists or {}).get("status") == 404, documents=documents))
    return plan


def whitelist_summary(whitelist):
    """The whitelist part of the plan as sentences."""
    lines = ["Node %s has loaded %s: %s." % (node, whitelist["setting"], ", ".join(values) or "nothing")
             for node, values in sorted(whitelist["loaded"].items())]
    for edit in whitelist["files"]:
        then = (", then restart the node" if edit["host"] in whitelist["restart"]
                else " (not restarted: remote_reindex_restart_method is none)")
        lines.append("%s: add %s to %s in %s%s." % (
            edit["host"], whitelist["entry"], whitelist["setting"], edit["path"], then))
    if not whitelist["files"]:
        lines.append("No elasticsearch.yml changes and no node restarts.")
    return lines


def plan_summary(plan):
    """The plan as sentences, in the order the role acts."""
    lines = whitelist_summary(plan["whitelist"])
    for index in plan["indices"]:
        documents = "unknown" if index["documents"] is None else index["documents"]
        lines.append("Index %s: %s, copy %s documents from %s." % (
            index["dest"], "create it" if index["create"] else "exists, keep it", documents, index["source"]))
    room = plan.get("room") or {}
    if room.get("need") is not None and room.get("usable") is not None:
        lines.append("Disk: the source indices hold %s of primary store; the destination's data nodes have %s usable "
                     "below the high watermark." % (human(room["need"]), human(room["usable"])))
    return lines + list(plan.get("notes") or [])


def room_plan(room):
    """{need, usable} in bytes (None when unknown) and the notes on what could not be checked.

    room: dict with stats (results of the source _stats/store loop), fs and disk_settings (destination answers).
    """
    stats = room.get("stats") or []
    sizes, _unknown = primary_store(stats)
    rooms, _watermark = node_room(room.get("fs"), room.get("disk_settings"))
    figures = dict(need=sum(sizes.values()) if sizes else None, usable=sum(node[2] for node in rooms) if rooms else None)
    return figures, room_notes(stats, room.get("fs"))


def migration_plan(items, whitelist, exists_results, count_results, room=None):
    """The plan: whitelist (setting, entry, loaded, files, restart), indices, room, notes and summary sentences.

    whitelist: dict with setting, entry, nodes_settings (GET _nodes/settings answer), checks ([{host, path,
    changed}]) and restart_method; room: see room_plan.
    """
    files, restart = node_edits(whitelist.get("checks") or [], whitelist.get("restart_method"))
    figures, notes = room_plan(room or {})
    plan = dict(
        whitelist=dict(setting=whitelist.get("setting"), entry=whitelist.get("entry"), files=files, restart=restart,
                       loaded=loaded_values(whitelist.get("nodes_settings"), whitelist.get("setting"))),
        indices=index_plan(items, exists_results, count_results),
        room=figures,
        notes=notes,
    )
    plan["summary"] = plan_summary(plan)
    return plan
