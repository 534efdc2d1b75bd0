"""Drives statusd's Statuspage management API v1 as Statuspage's clients do: the three ways of
sending the key, paths with and without `.json`, JSON envelopes and form bodies, paging. Every answer
is checked against the JSON Schemas in Schemas/statuspage-v1 (statuspage_v1_checks.py) and against
what the request should have done. Prints one JSON object: the problems found (none expected), how
many checks ran, and ids the Swift test reads back through our own API.

    python statuspage_v1_client.py <port> <slug> <admin key> <viewer key> <foreign component id> <foreign incident id>
"""
import json
import sys

from statuspage_v1_checks import answer, counted, expect, problems, request, use

PORT, SLUG, KEY, VIEWER, FOREIGN_COMPONENT, FOREIGN_INCIDENT = sys.argv[1:7]
use(PORT, KEY)

P = "/pages/" + SLUG
out = {}

# Credentials: OAuth, Bearer, the bare key, ?api_key=; none and a wrong one are 401 in Statuspage's shape.
for auth in ["oauth", "bearer", "bare", "query"]:
    pages = answer("GET", "/pages.json", 200, "page", auth=auth)
    expect(isinstance(pages, list) and len(pages) == 1 and pages[0]["subdomain"] == SLUG, "pages by %s" % auth)
answer("GET", P + "/components", 401, auth="none")
answer("GET", P + "/components", 401, key="sk_wrong_key")
page = answer("GET", P, 200, "page")
out["page_id"] = page["id"]
answer("GET", "/pages/" + page["id"] + ".json", 200, "page")
answer("GET", "/pages/no-such-page/components", 404)

# Pages: a form PATCH and a JSON PUT; a bad time zone is 422.
renamed = answer("PATCH", P, 200, "page", form={"page[name]": "Acme Status"})
expect(renamed["name"] == "Acme Status", "page renamed by a form")
zoned = answer("PUT", P + ".json", 200, "page", body={"page": {"time_zone": "Europe/Paris"}})
expect(zoned["time_zone"] == "Europe/Paris", "page time zone by JSON")
answer("PATCH", P, 422, body={"page": {"time_zone": "Mars/Olympus"}})

# Components: JSON and form; validation in Statuspage's shape.
api = answer("POST", P + "/components", 201, "component",
             body={"component": {"name": "API", "description": "Public API", "status": "operational"}})
web = answer("POST", P + "/components.json", 201, "component",
             form={"component[name]": "Web", "component[status]": "degraded_performance", "component[showcase]": "true"})
db = answer("POST", P + "/components", 201, "component", body={"component": {"name": "Database"}})
expect(web["status"] == "degraded_performance" and web["group"] is False, "form component fields")
answer("POST", P + "/components", 422, body={"component": {"description": "no name"}})
answer("POST", P + "/components", 422, body={"component": {"name": "X", "status": "sideways"}})
answer("PATCH", P + "/components/" + api["id"], 422, body={"component": {"group_id": "nonsense"}})
listed = answer("GET", P + "/components", 200, "component")
expect([c["name"] for c in listed] == ["API", "Web", "Database"], "components in page order: %s" % [c["name"] for c in listed])
expect(answer("GET", P + "/components?per_page=2&page=2", 200, "component")[0]["name"] == "Database", "component paging")
expect(len(answer("GET", P + "/components?limit=1", 200, "component")) == 1, "limit")
answer("GET", P + "/components?page=0", 422)
changed = answer("PATCH", P + "/components/" + api["id"] + ".json", 200, "component",
                 body={"component": {"status": "partial_outage", "name": "Public API"}})
expect(changed["status"] == "partial_outage" and changed["name"] == "Public API", "component PATCH")
put = answer("PUT", P + "/components/" + db["id"], 200, "component", form={"component[description]": "Primary"})
expect(put["description"] == "Primary", "component PUT by form")
uptime = answer("GET", P + "/components/" + api["id"] + "/uptime", 200, "uptime")
expect(uptime["id"] == api["id"] and uptime["uptime_percentage"] < 100, "a partial outage costs uptime: %s" % uptime)
answer("GET", P + "/components/" + api["id"] + "/uptime?start=2026-13-01", 422)
answer("GET", P + "/components/" + api["id"] + "/uptime?start=2020-01-01&end=2021-01-01", 422)

# Component groups: description outside the envelope; never empty; components replaces the members.
group = answer("POST", P + "/component-groups", 201, "component-group",
               body={"description": "Core services", "component_group": {"name": "Core", "components": [api["id"], web["id"]]}})
expect(group["description"] == "Core services" and sorted(group["components"]) == sorted([api["id"], web["id"]]), "group made")
answer("POST", P + "/component-groups", 422, body={"component_group": {"name": "Empty", "components": []}})
answer("POST", P + "/component-groups", 422, body={"component_group": {"name": "Foreign", "components": [FOREIGN_COMPONENT]}})
expect(answer("GET", P + "/components/" + api["id"], 200, "component")["group_id"] == group["id"], "member's group_id")
as_component = answer("GET", P + "/components/" + group["id"], 200, "component")
expect(as_component["group"] is True and as_component["status"] == "partial_outage", "a group as a component")
narrowed = answer("PATCH", P + "/component-groups/" + group["id"] + ".json", 200, "component-group",
                  form={"component_group[components][]": api["id"], "component_group[name]": "Core API"})
expect(narrowed["components"] == [api["id"]] and narrowed["name"] == "Core API", "group PATCH by form: %s" % narrowed)
expect(answer("GET", P + "/components/" + web["id"], 200, "component")["group_id"] is None, "left the group")
answer("GET", P + "/component-groups", 200, "component-group")
one = answer("GET", P + "/component-groups/" + group["id"] + ".json", 200, "component-group")
expect(one["components"] == [api["id"]], "a group read alone")
described = answer("PUT", P + "/component-groups/" + group["id"], 200, "component-group",
                   body={"description": "The API alone", "component_group": {"name": "Core API"}})
expect(described["description"] == "The API alone" and described["components"] == [api["id"]],
       "a PUT without components keeps the members: %s" % described)
answer("PATCH", P + "/component-groups/" + group["id"], 422, body={"component_group": {"components": []}})
answer("GET", P + "/component-groups/grp_00000000000000000000", 404)
answer("GET", P + "/component-groups/" + group["id"] + "/uptime", 200, "uptime")

# Incidents: a component map sets statuses; impact derives from them; a PATCH appends an update.
incident = answer("POST", P + "/incidents", 201, "incident", body={"incident": {
    "name": "API errors", "status": "investigating", "body": "We are looking.",
    "components": {api["id"]: "major_outage"}, "component_ids": [api["id"], web["id"]],
    "deliver_notifications": True, "metadata": {"jira": {"issue": "OPS-1"}}}})
expect(incident["impact"] == "critical" and incident["scheduled_for"] is None, "incident impact from components")
expect(answer("GET", P + "/components/" + api["id"], 200, "component")["status"] == "major_outage", "component set by incident")
answer("POST", P + "/incidents", 422, body={"incident": {"body": "no name"}})
answer("POST", P + "/incidents", 422, body={"incident": {"name": "X", "components": {api["id"]: "broken"}}})
answer("POST", P + "/incidents", 422, body={"incident": {"name": "X", "component_ids": ["svc_nope"]}})
monitoring = answer("PATCH", P + "/incidents/" + incident["id"], 200, "incident",
                    form={"incident[status]": "monitoring", "incident[body]": "A fix is out."})
expect([u["status"] for u in monitoring["incident_updates"]] == ["monitoring", "investigating"], "update appended")
expect(monitoring["monitoring_at"] is not None, "monitoring_at")
answer("PATCH", P + "/incidents/" + incident["id"], 422, body={"incident": {"status": "completed"}})

# Incident updates: a PATCH corrects the text of a posted update and answers the update.
first = monitoring["incident_updates"][-1]
corrected = answer("PATCH", P + "/incidents/" + incident["id"] + "/incident_updates/" + first["id"] + ".json", 200,
                   "incident-update",
                   body={"incident_update": {"body": "We are looking into elevated errors.", "deliver_notifications": False}})
expect(corrected["id"] == first["id"] and corrected["body"] == "We are looking into elevated errors."
       and corrected["status"] == "investigating" and corrected["created_at"] == first["created_at"], "update corrected")
answer("PUT", P + "/incidents/" + incident["id"] + "/incident_updates/" + first["id"], 422,
       form={"incident_update[body]": ""})
answer("PATCH", P + "/incidents/" + incident["id"] + "/incident_updates/upd_nothing", 404,
       body={"incident_update": {"body": "x"}})
reread = answer("GET", P + "/incidents/" + incident["id"], 200, "incident")
expect([u["body"] for u in reread["incident_updates"]] == ["A fix is out.", "We are looking into elevated errors."],
       "the timeline reads the corrected text")

# Maintenance is an incident with status scheduled and a schedule; its life by PATCH.
window = answer("POST", P + "/incidents.json", 201, "incident", form={
    "incident[name]": "Database upgrade", "incident[status]": "scheduled", "incident[body]": "Planned work.",
    "incident[scheduled_for]": "2030-01-01T00:00:00.000Z", "incident[scheduled_until]": "2030-01-01T02:00:00Z",
    "incident[component_ids][]": db["id"], "incident[scheduled_auto_in_progress]": "true",
    "incident[scheduled_auto_completed]": "true"})
expect(window["impact"] == "maintenance" and window["status"] == "scheduled", "maintenance made")
expect(window["scheduled_auto_in_progress"] is True and window["scheduled_for"].startswith("2030-01-01T00:00:00"), "schedule")
answer("POST", P + "/incidents", 422, body={"incident": {"name": "No end", "status": "scheduled",
                                                        "scheduled_for": "2030-01-01T00:00:00Z"}})
expect([i["id"] for i in answer("GET", P + "/incidents/upcoming", 200, "incident")] == [window["id"]], "upcoming")
expect([i["id"] for i in answer("GET", P + "/incidents/scheduled", 200, "incident")] == [window["id"]], "scheduled")
expect([i["id"] for i in answer("GET", P + "/incidents/unresolved.json", 200, "incident")] == [incident["id"]], "unresolved")
expect(answer("GET", P + "/incidents/active_maintenance", 200, "incident") == [], "nothing active yet")
started = answer("PATCH", P + "/incidents/" + window["id"], 200, "incident",
                 body={"incident": {"status": "in_progress", "body": "Started early."}})
expect(started["status"] == "in_progress", "maintenance started")
note = started["incident_updates"][0]
fixed = answer("PATCH", P + "/incidents/" + window["id"] + "/incident_updates/" + note["id"], 200, "incident-update",
               form={"incident_update[body]": "Started an hour early."})
expect(fixed["body"] == "Started an hour early." and fixed["status"] == "in_progress", "a window's update corrected")
expect(answer("GET", P + "/components/" + db["id"], 200, "component")["status"] == "under_maintenance", "in maintenance")
expect([i["id"] for i in answer("GET", P + "/incidents/active_maintenance", 200, "incident")] == [window["id"]], "active")
answer("PATCH", P + "/incidents/" + window["id"], 422, body={"incident": {"status": "resolved"}})
done = answer("PATCH", P + "/incidents/" + window["id"], 200, "incident", body={"incident": {"status": "completed"}})
expect(done["status"] == "completed" and done["resolved_at"] is not None, "maintenance completed")
expect(answer("GET", P + "/components/" + db["id"], 200, "component")["status"] == "operational", "restored")

everything = answer("GET", P + "/incidents", 200, "incident")
expect({i["id"] for i in everything} == {incident["id"], window["id"]}, "incidents lists maintenance too")
expect([i["id"] for i in answer("GET", P + "/incidents?q=upgrade", 200, "incident")] == [window["id"]], "q")
expect(len(answer("GET", P + "/incidents?per_page=1&page=2", 200, "incident")) == 1, "incident paging")
answer("GET", P + "/incidents?page=1000&per_page=100", 422)
# A page number whose product with per_page overflows (schemathesis found it trapping the server).
answer("GET", P + "/incidents/unresolved?page=136387712312222928&per_page=448", 422)

resolved = answer("PUT", P + "/incidents/" + incident["id"] + ".json", 200, "incident",
                  body={"incident": {"status": "resolved", "body": "All good."}})
expect(resolved["resolved_at"] is not None, "resolved")
expect(answer("GET", P + "/components/" + api["id"], 200, "component")["status"] == "partial_outage",
       "the status before the incident comes back")

# Another organization's ids are 404 here; so is its page.
answer("GET", P + "/components/" + FOREIGN_COMPONENT, 404)
answer("PATCH", P + "/components/" + FOREIGN_COMPONENT, 404, body={"component": {"status": "major_outage"}})
answer("GET", P + "/incidents/" + FOREIGN_INCIDENT, 404)
answer("DELETE", P + "/incidents/" + FOREIGN_INCIDENT, 404)

# A viewer's key reads and cannot write.
answer("GET", P + "/components", 200, "component", key=VIEWER)
answer("POST", P + "/components", 403, body={"component": {"name": "Nope"}}, key=VIEWER)
answer("PATCH", P + "/incidents/" + incident["id"], 403, body={"incident": {"name": "Nope"}}, key=VIEWER)

# Bad bodies: not JSON, not an object, an envelope that is not an object, too large.
answer("POST", P + "/components", 422, body=[1, 2])
answer("POST", P + "/components", 422, body={"component": "API"})
answer("POST", P + "/components", 413, body={"component": {"name": "x" * 70000}})
# Numbers where text belongs, beyond Int's range (schemathesis found these trapping the server).
answer("POST", P + "/incidents", 422, body={"incident": {"name": -1.7976931348623157e+308, "status": -1e32}})
answer("POST", P + "/components", 422, body={"component": {"name": 1e300, "position": 1e300}})
got, value = request("POST", P + "/components", form=None, body=None)
expect(got == 422, "an empty body has no name: %s" % got)

# Users are invitations; DELETE answers the user as it was.
invited = answer("POST", "/organizations/" + SLUG + "/users", 201, "user",
                 form={"user[email]": "new.person@example.com", "user[first_name]": "New", "user[password]": "ignored!"})
expect(invited["invitation_url"].startswith("http") and "token=" in invited["invitation_url"], "invitation link")
users = answer("GET", "/organizations/" + SLUG + "/users.json", 200, "user")
expect("new.person@example.com" in [u["email"] for u in users], "invited user listed")
answer("POST", "/organizations/" + SLUG + "/users", 422, body={"user": {"first_name": "No email"}})
answer("DELETE", "/organizations/" + SLUG + "/users/" + invited["id"], 200, "user")
answer("DELETE", "/organizations/" + SLUG + "/users/" + invited["id"], 404)

# Deletes answer as Statuspage does.
gone = answer("DELETE", P + "/component-groups/" + group["id"], 200, "component-group")
expect(gone["id"] == group["id"], "group deleted")
expect(answer("GET", P + "/components/" + api["id"], 200, "component")["group_id"] is None, "members stay")
answer("DELETE", P + "/incidents/" + window["id"], 200, "incident")
answer("GET", P + "/incidents/" + window["id"], 404)
answer("DELETE", P + "/components/" + web["id"] + ".json", 204)
answer("GET", P + "/components/" + web["id"], 404)
answer("GET", P + "/nothing-here", 404)
answer("POST", P, 405)

out.update({"problems": problems, "checks": counted["checks"], "api": api["id"], "incident": incident["id"], "db": db["id"]})
print(json.dumps(out))
