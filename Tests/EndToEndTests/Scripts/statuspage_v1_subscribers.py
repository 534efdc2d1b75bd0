"""Drives the subscriber routes of statusd's Statuspage management API v1 as Statuspage's clients do
(`/v1/pages/{page_id}/subscribers` and an incident's), every answer held to the JSON Schemas in
Schemas/statuspage-v1. Prints one JSON object: the problems found (none expected), how many checks
ran, and the addresses the Swift test then looks for in the SMTP sink.

    python statuspage_v1_subscribers.py <port> <slug> <admin key> <editor key> <api id> <web id> \
        <incident id> <foreign subscriber id>
"""
import json
import sys

from statuspage_v1_checks import answer, counted, expect, problems, use

PORT, SLUG, KEY, EDITOR, API, WEB, INCIDENT, FOREIGN = sys.argv[1:9]
use(PORT, KEY)
P = "/pages/" + SLUG
S = P + "/subscribers"
I = P + "/incidents/" + INCIDENT + "/subscribers"

# The page's switches: what it takes is told, and changed, through the page.
page = answer("GET", P, 200, "page")
expect(page["allow_email_subscribers"] and page["allow_webhook_subscribers"] and not page["allow_sms_subscribers"],
       "the default switches: %s" % {k: v for k, v in page.items() if k.startswith("allow_")})
closed = answer("PATCH", P, 200, "page", body={"page": {"allow_incident_subscribers": False}})
expect(closed["allow_incident_subscribers"] is False, "incident subscribers switched off")
answer("POST", I, 422, body={"subscriber": {"email": "one.incident@example.test", "skip_confirmation_notification": True}})
opened = answer("PATCH", P, 200, "page", form={"page[allow_incident_subscribers]": "true"})
expect(opened["allow_incident_subscribers"] is True, "incident subscribers switched on by a form")

# Creating: an email waits for its confirmation unless told to skip it; URLs are active and masked.
waiting = answer("POST", S, 201, "subscriber", body={"subscriber": {"email": "Waiting@Example.test"}})
expect(waiting["mode"] == "email" and waiting["state"] == "unconfirmed" and waiting["email"] == "waiting@example.test",
       "an email subscriber waits for its confirmation: %s" % waiting)
active = answer("POST", S + ".json", 201, "subscriber",
                form={"subscriber[email]": "active@example.test", "subscriber[skip_confirmation_notification]": "true",
                      "subscriber[component_ids][]": API})
expect(active["state"] == "active" and active["components"] == [API], "a form subscriber, active, one component")
hook = answer("POST", S, 201, "subscriber", body={"subscriber": {
    "endpoint": "https://hooks.example.test/statusd/secret-path-123", "email": "owner@example.test"}})
expect(hook["mode"] == "webhook" and hook["email"] == "owner@example.test" and hook["state"] == "active",
       "a webhook with its contact: %s" % hook)
expect("secret-path" not in json.dumps(hook) and hook["endpoint"] == "https://hooks.example.test/…",
       "the endpoint is masked: %s" % hook["endpoint"])
slack = answer("POST", S, 201, "subscriber", body={"subscriber": {
    "endpoint": "https://hooks.slack.example.test/services/T0/B0/XYZ", "mode": "slack"}})
expect(slack["mode"] == "slack" and "XYZ" not in json.dumps(slack), "a Slack subscriber, masked")
answer("POST", S, 422, body={"subscriber": {"phone_number": "+15551234567"}})  # no SMS provider
answer("POST", S, 422, body={"subscriber": {"component_ids": [API]}})  # no address at all
answer("POST", S, 422, body={"subscriber": {"email": "not an address"}})
answer("POST", S, 422, body={"subscriber": {"endpoint": "https://hooks.example.test/x"}})  # a webhook needs a contact
answer("POST", S, 422, body={"subscriber": {"endpoint": "https://hooks.example.test/x", "mode": "email"}})
answer("POST", S, 422, body={"subscriber": {"email": "c@example.test", "component_ids": ["svc_nope"]}})
answer("POST", S, 422, body={"subscriber": {"email": "active@example.test"}})  # taken: v1 says 422
answer("POST", S, 422, body={"subscriber": "active@example.test"})

# Listing: active by default; state, type, q, sort and paging as Statuspage documents them.
def ids(path):
    return [s["id"] for s in answer("GET", path, 200, "subscriber")]


expect(set(ids(S)) == {active["id"], hook["id"], slack["id"]}, "active by default")
expect(set(ids(S + "?state=all")) == {waiting["id"], active["id"], hook["id"], slack["id"]}, "state=all")
expect(ids(S + "?state=unconfirmed") == [waiting["id"]], "state=unconfirmed")
expect(ids(S + "?type=webhook") == [hook["id"]], "type=webhook")
expect(ids(S + "?type=integration_partner&state=all") == [], "a type statusd has none of")
expect(ids(S + "?q=ACTIVE@") == [active["id"]], "q, whatever its case")
expect(ids(S + "?q=secret-path") == [], "q never searches a URL's secret part")
expect(ids(S + "?q=a&sort_field=relevance&state=all")[0] == active["id"], "relevance: a prefix before the rest")
by_age = ids(S + "?state=all&sort_field=created_at&sort_direction=desc")
expect(by_age == [slack["id"], hook["id"], active["id"], waiting["id"]], "newest first: %s" % by_age)
expect(ids(S + "?state=all&sort_field=created_at&limit=1&page=1") == [active["id"]], "limit and page from 0")
expect(ids(S + "?state=all&limit=2&page=5") == [], "past the end")
for bad in ["state=gone", "type=pigeon", "sort_field=relevance", "sort_direction=up", "page=-1", "limit=0"]:
    answer("GET", S + "?" + bad, 422)

# Counting (editors may): by type, by type and state.
count = answer("GET", S + "/count", 200, "subscriber-count")
expect(count["email"] == 1 and count["webhook"] == 1 and count["slack"] == 1, "active by type: %s" % count)
expect(answer("GET", S + "/count?state=all&type=email", 200, "subscriber-count")["email"] == 2, "count filtered")
histogram = answer("GET", S + "/histogram_by_state.json", 200, "subscriber-histogram", key=EDITOR)
expect(histogram["email"] == {"active": 1, "unconfirmed": 1, "quarantined": 0}, "histogram: %s" % histogram)
answer("GET", S + "/count?state=nope", 422)
expect(answer("GET", S + "/unsubscribed", 200, "subscriber") == [], "statusd keeps no unsubscribed addresses")

# One subscriber: read, follow components, resend the link (unconfirmed email only).
expect(answer("GET", S + "/" + waiting["id"], 200, "subscriber")["id"] == waiting["id"], "read one")
moved = answer("PATCH", S + "/" + active["id"], 200, "subscriber", body={"component_ids": [WEB, API]})
expect(sorted(moved["components"]) == sorted([API, WEB]), "components changed: %s" % moved)
answer("PATCH", S + "/" + active["id"], 422, body={"component_ids": ["svc_nope"]})
answer("PATCH", S + "/" + active["id"], 422, body={})
answer("POST", S + "/" + waiting["id"] + "/resend_confirmation", 202, "subscriber")
answer("POST", S + "/" + active["id"] + "/resend_confirmation", 422)

# Bulk: ids or all, of a type and state; at most 100 named; unknown ids are 404.
resent = answer("POST", S + "/resend_confirmation", 202, body={"subscribers": "all"})
expect(resent == {"subscribers": [waiting["id"]]}, "resent to the unconfirmed email only: %s" % resent)
expect(answer("POST", S + "/reactivate", 202, body={"subscribers": "all"}) == {"subscribers": []}, "none quarantined")
gone = answer("POST", S + "/unsubscribe", 202, body={"subscribers": [slack["id"], hook["id"]], "type": "slack"})
expect(gone == {"subscribers": [slack["id"]]}, "only the Slack one of the two: %s" % gone)
answer("GET", S + "/" + slack["id"], 404)
answer("POST", S + "/unsubscribe", 404, body={"subscribers": ["sub_00000000000000000000"]})
answer("POST", S + "/unsubscribe", 422, body={"subscribers": [hook["id"]] * 101})
answer("POST", S + "/unsubscribe", 422, body={"type": "email"})

# One incident's subscribers: apart from the page's, and only under their incident.
follower = answer("POST", I, 201, "subscriber", body={"subscriber": {
    "email": "one.incident@example.test", "skip_confirmation_notification": True}})
expect(answer("GET", I, 200, "subscriber") == [follower], "the incident's list")
expect(follower["id"] not in ids(S + "?state=all"), "not among the page's")
answer("GET", S + "/" + follower["id"], 404)
answer("GET", I + "/" + active["id"], 404)
answer("POST", I + "/" + follower["id"] + "/resend_confirmation", 422)
answer("GET", P + "/incidents/inc_00000000000000000000/subscribers", 404)
answer("DELETE", I + "/" + follower["id"], 200, "subscriber")
answer("GET", I + "/" + follower["id"], 404)

# Another organization's subscriber is 404 here; an editor sees counts, not addresses.
for method, body in [("GET", None), ("PATCH", {"component_ids": []}), ("DELETE", None)]:
    answer(method, S + "/" + FOREIGN, 404, body=body)
answer("POST", S + "/unsubscribe", 404, body={"subscribers": [FOREIGN]})
answer("GET", S, 403, key=EDITOR)
answer("POST", S, 403, body={"subscriber": {"email": "e@example.test"}}, key=EDITOR)
answer("GET", S + "/count", 200, "subscriber-count", key=EDITOR)

deleted = answer("DELETE", S + "/" + hook["id"], 200, "subscriber")
expect(deleted["id"] == hook["id"], "DELETE answers the subscriber as it was")
answer("DELETE", S + "/" + hook["id"], 404)

print(json.dumps({"problems": problems, "checks": counted["checks"], "waiting": "waiting@example.test",
                  "active": "active@example.test"}))
