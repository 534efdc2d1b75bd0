"""Reads statusd's Statuspage v2 documents as a strict Statuspage client would: every member
Statuspage documents, of its type, within its enumerations, and nothing else. Prints one JSON object:
the problems found (none expected) and the figures the Swift test checks.

    python statuspage_client.py <port> <slug>
"""
import json
import os
import re
import sys

import jsonschema_rs

import statusd_http

PORT, SLUG = int(sys.argv[1]), sys.argv[2]
BASE = "/s/%s/api/v2/" % SLUG
DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
COMPONENT_STATUS = {"operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage"}
INCIDENT_STATUS = {"investigating", "identified", "monitoring", "resolved", "postmortem",
                   "scheduled", "in_progress", "verifying", "completed"}
IMPACT = {"none", "maintenance", "minor", "major", "critical"}
problems = []


def get(path, headers=None, base=BASE):
    return statusd_http.request(PORT, "GET", base + path, headers=headers)


def check(where, value, fields):
    """fields: name -> (kind, nullable) where kind is str, int, bool, "date", a set (enum) or a function."""
    if not isinstance(value, dict):
        problems.append("%s: not an object" % where)
        return
    extra, missing = set(value) - set(fields), set(fields) - set(value)
    if extra or missing:
        problems.append("%s: extra %s, missing %s" % (where, sorted(extra), sorted(missing)))
    for name, (kind, nullable) in fields.items():
        if name not in value:
            continue
        item = value[name]
        if item is None:
            if not nullable:
                problems.append("%s.%s is null" % (where, name))
        elif kind == "date":
            if not isinstance(item, str) or not DATE.match(item):
                problems.append("%s.%s: not a Statuspage time: %r" % (where, name, item))
        elif isinstance(kind, set):
            if item not in kind:
                problems.append("%s.%s: %r outside %s" % (where, name, item, sorted(kind)))
        elif callable(kind) and not isinstance(kind, type):
            kind("%s.%s" % (where, name), item)
        elif not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
            problems.append("%s.%s: %r is not %s" % (where, name, item, kind.__name__))


def each(check_one):
    def run(where, items):
        if not isinstance(items, list):
            problems.append("%s: not an array" % where)
            return
        for index, item in enumerate(items):
            check_one("%s[%d]" % (where, index), item)
    return run


def page(where, value):
    check(where, value, {"id": (str, False), "name": (str, False), "url": (str, False),
                         "time_zone": (str, False), "updated_at": ("date", False)})


def status(where, value):
    check(where, value, {"indicator": ({"none", "minor", "major", "critical"}, False), "description": (str, False)})


def component(where, value):
    fields = {"id": (str, False), "name": (str, False), "status": (COMPONENT_STATUS, False),
              "created_at": ("date", False), "updated_at": ("date", False), "position": (int, False),
              "description": (str, True), "showcase": (bool, False), "start_date": (str, True),
              "group_id": (str, True), "page_id": (str, False), "group": (bool, False),
              "only_show_if_degraded": (bool, False)}
    if isinstance(value, dict) and value.get("group"):
        fields["components"] = (each(lambda w, v: None if isinstance(v, str) else problems.append(w)), False)
    check(where, value, fields)


def affected(where, value):
    check(where, value, {"code": (str, False), "name": (str, False), "old_status": (COMPONENT_STATUS, False),
                         "new_status": (COMPONENT_STATUS, False)})


def update(where, value):
    check(where, value, {"id": (str, False), "status": (INCIDENT_STATUS, False), "body": (str, False),
                         "incident_id": (str, False), "created_at": ("date", False), "updated_at": ("date", False),
                         "display_at": ("date", False), "affected_components": (each(affected), True),
                         "deliver_notifications": (bool, False), "custom_tweet": (str, True),
                         "tweet_id": (str, True)})


def incident(where, value):
    fields = {"id": (str, False), "name": (str, False), "status": (INCIDENT_STATUS, False),
              "created_at": ("date", False), "updated_at": ("date", False), "monitoring_at": ("date", True),
              "resolved_at": ("date", True), "impact": (IMPACT, False), "shortlink": (str, False),
              "started_at": ("date", False), "page_id": (str, False), "incident_updates": (each(update), False),
              "components": (each(component), False)}
    if isinstance(value, dict) and value.get("impact") == "maintenance":
        fields["scheduled_for"] = ("date", False)
        fields["scheduled_until"] = ("date", False)
    check(where, value, fields)


DOCUMENTS = {
    "summary.json": {"page": (page, False), "components": (each(component), False),
                     "incidents": (each(incident), False), "scheduled_maintenances": (each(incident), False),
                     "status": (status, False)},
    "status.json": {"page": (page, False), "status": (status, False)},
    "components.json": {"page": (page, False), "components": (each(component), False)},
    "incidents.json": {"page": (page, False), "incidents": (each(incident), False)},
    "incidents/unresolved.json": {"page": (page, False), "incidents": (each(incident), False)},
    "scheduled-maintenances.json": {"page": (page, False), "scheduled_maintenances": (each(incident), False)},
    "scheduled-maintenances/upcoming.json": {"page": (page, False),
                                             "scheduled_maintenances": (each(incident), False)},
    "scheduled-maintenances/active.json": {"page": (page, False),
                                           "scheduled_maintenances": (each(incident), False)},
}

# The JSON Schema of each document (Schemas/statuspage-v2), beside the checks above: the same shapes,
# written once more as data, so that a slip in one is caught by the other.
SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Schemas", "statuspage-v2")


def schema(path):
    with open(os.path.join(SCHEMAS, path[:-len(".json")].replace("/", "-") + ".json")) as f:
        return jsonschema_rs.validator_for(json.load(f))


documents = {}
for path, fields in DOCUMENTS.items():
    code, headers, body = get(path)
    if code != 200 or not headers.get("Content-Type", "").startswith("application/json"):
        problems.append("%s: %d %s" % (path, code, headers.get("Content-Type")))
        continue
    documents[path] = json.loads(body)
    check(path, documents[path], fields)
    for error in schema(path).iter_errors(documents[path]):
        problems.append("%s: schema: %s at %s" % (path, error.message, list(error.instance_path)))

code, headers, _ = get("summary.json")
revalidated, _, _ = get("summary.json", {"If-None-Match": headers.get("ETag", "")})
summary = documents.get("summary.json", {})
print(json.dumps({
    "problems": problems,
    "revalidated": revalidated,
    "unknown_slug": get("summary.json", base="/s/nobody-here/api/v2/")[0],
    "summary": summary,
    "incidents": documents.get("incidents.json", {}).get("incidents", []),
    "unresolved": documents.get("incidents/unresolved.json", {}).get("incidents", []),
    "maintenances": documents.get("scheduled-maintenances.json", {}).get("scheduled_maintenances", []),
    "upcoming": documents.get("scheduled-maintenances/upcoming.json", {}).get("scheduled_maintenances", []),
    "active": documents.get("scheduled-maintenances/active.json", {}).get("scheduled_maintenances", []),
}))
