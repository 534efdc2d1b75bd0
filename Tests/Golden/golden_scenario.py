"""The requests behind the golden answers (golden_answers.py runs them): the public reads of the demo
organization in every dialect, an account's whole life through the API, Statuspage's v1, the pages,
the live feeds, and the bad requests each endpoint must answer. Each section is one file of answers.
"""

OWNER = {"email": "owner@example.com", "password": "correct horse battery", "name": "Owner"}
EDITOR = {"email": "editor@example.com", "password": "correct horse battery", "name": "Editor"}


def run(r):
    ids = public_reads(r)
    owner = account(r)
    resources(r, owner)
    statuspage_v1(r, owner)
    pages(r, ids)
    live(r, owner)
    bad_requests(r, owner)
    subscribers(r, owner)
    statuspage_v1_subscribers(r, owner)
    closing(r, owner)


def bearer(token, org=None):
    headers = {"Authorization": "Bearer " + token}
    if org:
        headers["X-Organization"] = org
    return headers


def public_reads(r):
    r.begin("public")
    _, fields, _, summary = r.ask("GET", "/api/status/demo")
    r.ask("GET", "/api/status/demo", headers={"Accept-Encoding": "gzip"})
    r.ask("GET", "/api/status/demo", headers={"If-None-Match": fields.get("etag", "")})
    r.ask("GET", "/api/public/demo/status")
    for tail in ["services", "maintenance", "incidents", "timeline", "uptime"]:
        r.ask("GET", "/api/status/demo/" + tail)
    r.ask("GET", "/api/status/demo/uptime?days=7")
    r.ask("GET", "/api/public/demo/incidents")
    for tail in ["summary", "status", "components", "incidents", "incidents/unresolved", "scheduled-maintenances",
                 "scheduled-maintenances/active", "scheduled-maintenances/upcoming"]:
        r.ask("GET", "/s/demo/api/v2/%s.json" % tail)
        # The same documents on a verified custom domain; statusd's own host is none (CustomDomainTests
        # serves them on one).
        r.ask("GET", "/api/v2/%s.json" % tail)
    r.ask("GET", "/s/demo/api/v2/summary.json", headers={"Accept-Encoding": "gzip"})
    r.ask("GET", "/s/demo/history.atom")
    r.ask("GET", "/s/demo/history.rss")
    for tail in ["badge.svg", "badge.json", "embed.js", "feed.atom", "feed.rss", "theme.css"]:
        r.ask("GET", "/status/demo/" + tail)
    r.ask("GET", "/status/demo/badge.svg?uptime=true")
    incident = summary["active_incidents"][0]["id"]
    maintenance = summary["upcoming_maintenance"][0]["id"] if summary.get("upcoming_maintenance") else None
    service = summary["services"][0]["id"]
    r.ask("GET", "/status/demo/services/%s/badge.svg" % service)
    r.ask("GET", "/status/demo/services/%s/badge.json" % service)
    r.ask("GET", "/api/status/nosuch")
    r.ask("GET", "/s/nosuch/api/v2/summary.json")
    return {"incident": incident, "maintenance": maintenance, "service": service}


def account(r):
    r.begin("account")
    r.ask("POST", "/api/auth/signup", body=OWNER)
    r.ask("POST", "/api/auth/signup", body=OWNER, label="POST /api/auth/signup (the same email again)")
    _, _, _, login = r.ask("POST", "/api/auth/login", body={"email": OWNER["email"], "password": OWNER["password"]})
    r.ask("POST", "/api/auth/login", body={"email": OWNER["email"], "password": "wrong wrong wrong"})
    token = login["token"]
    r.ask("GET", "/api/auth/me", headers=bearer(token))
    r.ask("GET", "/api/organizations", headers=bearer(token))
    r.ask("POST", "/api/organizations", body={"slug": "acme", "name": "Acme"}, headers=bearer(token))
    _, _, _, globex = r.ask("POST", "/api/organizations", body={"slug": "globex", "name": "Globex"},
                             headers=bearer(token))
    r.ask("POST", "/api/organizations", body={"slug": "acme", "name": "Again"}, headers=bearer(token))
    _, _, _, current = r.ask("GET", "/api/organizations/current", headers=bearer(token, "acme"))
    org = current["id"]
    r.ask("PUT", "/api/organizations/" + org,
          body={"name": "Acme Inc", "time_zone": "Europe/Paris", "accent_color": "#112233",
                "custom_domain": "status.acme.test"}, headers=bearer(token, "acme"))
    r.ask("GET", "/api/organizations/%s/domain" % org, headers=bearer(token, "acme"))
    r.ask("POST", "/api/organizations/%s/domain/verify" % globex["id"], headers=bearer(token, "globex"))
    r.ask("GET", "/api/organizations/check-user/" + login["account"]["id"], headers=bearer(token, "acme"))
    r.ask("PUT", "/api/auth/password", body={"current_password": OWNER["password"], "new_password": "a new long secret"},
          headers=bearer(token))
    _, _, _, again = r.ask("POST", "/api/auth/login", body={"email": OWNER["email"], "password": "a new long secret"})
    r.ask("GET", "/api/auth/me", headers=bearer(token), label="GET /api/auth/me (the old session, after the change)")
    return {"token": again["token"], "org": org, "globex": globex["id"], "account": login["account"]["id"]}


def resources(r, owner):
    r.begin("resources")
    h = bearer(owner["token"], "acme")
    _, _, _, group = r.ask("POST", "/api/service-groups", body={"name": "Core", "description": "The core"}, headers=h)
    r.ask("GET", "/api/service-groups", headers=h)
    r.ask("GET", "/api/service-groups/" + group["id"], headers=h)
    r.ask("PUT", "/api/service-groups/" + group["id"], body={"name": "Core services"}, headers=h)
    _, _, _, api = r.ask("POST", "/api/services", body={"name": "API", "group_id": group["id"]}, headers=h)
    _, _, _, web = r.ask("POST", "/api/services", body={"name": "Web", "status": "degraded_performance"}, headers=h)
    _, _, _, spare = r.ask("POST", "/api/services", body={"name": "Spare"}, headers=h)
    r.ask("GET", "/api/services", headers=h)
    r.ask("GET", "/api/services/" + api["id"], headers=h)
    r.ask("PUT", "/api/services/" + api["id"], body={"description": "Public API", "position": 0}, headers=h)
    r.ask("PUT", "/api/services/%s/status" % web["id"], body={"status": "partial_outage"}, headers=h)
    r.ask("GET", "/api/services/%s/status-history" % web["id"], headers=h)
    r.ask("GET", "/api/services/%s/uptime" % web["id"], headers=h)
    r.ask("GET", "/api/services/%s/uptime?days=7" % web["id"], headers=h)
    r.ask("DELETE", "/api/services/" + spare["id"], headers=h)
    _, _, _, incident = r.ask(
        "POST", "/api/incidents",
        body={"name": "API errors", "status": "investigating", "impact": "major", "body": "Looking into it.",
              "affected_services": [{"service_id": api["id"], "status": "major_outage"}]}, headers=h)
    r.ask("GET", "/api/incidents", headers=h)
    r.ask("GET", "/api/incidents/" + incident["id"], headers=h)
    r.ask("PUT", "/api/incidents/" + incident["id"], body={"name": "API error rates", "impact": "critical"}, headers=h)
    _, _, _, update = r.ask("POST", "/api/incidents/%s/updates" % incident["id"],
                             body={"status": "identified", "body": "Found it."}, headers=h)
    r.ask("PUT", "/api/incidents/%s/updates/%s" % (incident["id"], update["updates"][-1]["id"]),
          body={"body": "Found the cause."}, headers=h)
    r.ask("PUT", "/api/incidents/%s/status" % incident["id"], body={"status": "monitoring"}, headers=h)
    r.ask("PUT", "/api/incidents/%s/resolve" % incident["id"], body={}, headers=h)
    _, _, _, mistaken = r.ask("POST", "/api/incidents", body={"name": "Mistake", "body": "Oops"}, headers=h)
    r.ask("DELETE", "/api/incidents/" + mistaken["id"], headers=h)
    _, _, _, window = r.ask(
        "POST", "/api/maintenance",
        body={"name": "Database upgrade", "description": "Upgrading.", "scheduled_start": "2026-06-02T00:00:00Z",
              "scheduled_end": "2026-06-02T02:00:00Z", "affected_services": [api["id"]], "auto_start": True},
        headers=h)
    r.ask("GET", "/api/maintenance", headers=h)
    r.ask("GET", "/api/maintenance/" + window["id"], headers=h)
    r.ask("PUT", "/api/maintenance/" + window["id"], body={"description": "Upgrading to 16."}, headers=h)
    _, _, _, started = r.ask("PUT", "/api/maintenance/%s/status" % window["id"],
                              body={"status": "in_progress", "body": "Started early."}, headers=h)
    r.ask("PUT", "/api/maintenance/%s/updates/%s" % (window["id"], started["updates"][-1]["id"]),
          body={"body": "Started a little early."}, headers=h)
    _, _, _, other = r.ask("POST", "/api/maintenance",
                            body={"name": "Cancelled", "scheduled_start": "2026-06-03T00:00:00Z",
                                  "scheduled_end": "2026-06-03T01:00:00Z"}, headers=h)
    r.ask("DELETE", "/api/maintenance/" + other["id"], headers=h)
    _, _, _, key = r.ask("POST", "/api/keys", body={"name": "deploy", "role": "editor"}, headers=h)
    r.ask("GET", "/api/keys", headers=h)
    r.ask("GET", "/api/services", headers={"Authorization": "Bearer " + key["token"]},
          label="GET /api/services (with the API key)")
    _, _, _, viewer = r.ask("POST", "/api/keys", body={"name": "read", "role": "viewer"}, headers=h)
    r.ask("DELETE", "/api/keys/" + key["id"], headers=h)
    r.ask("GET", "/api/services", headers={"Authorization": "Bearer " + key["token"]},
          label="GET /api/services (with the deleted key)")
    _, _, _, invite = r.ask("POST", "/api/team/invite", body={"email": EDITOR["email"], "role": "editor"}, headers=h)
    token = invite["token"]
    r.ask("GET", "/api/team/invitations/" + token)
    _, _, _, editor = r.ask("POST", "/api/auth/signup", body=dict(EDITOR, invitation=token))
    r.ask("POST", "/api/team/invite", body={"email": "later@example.com", "role": "viewer"}, headers=h)
    r.ask("POST", "/api/team/invitations/%s/accept" % token, headers=bearer(editor["token"]))
    _, _, _, members = r.ask("GET", "/api/team/members", headers=h)
    r.ask("GET", "/api/team/members/me", headers=h)
    member = [m for m in members["items"] if m["email"] == EDITOR["email"]]
    member_id = member[0]["id"]
    r.ask("PUT", "/api/team/members/" + member_id, body={"role": "admin"}, headers=h)
    r.ask("GET", "/api/organizations/%s/export" % owner["org"], headers=h)
    r.ask("DELETE", "/api/team/members/" + member_id, headers=h)
    r.ask("DELETE", "/api/service-groups/" + group["id"], headers=h)
    owner["viewer_key"] = viewer["token"]
    owner["service"] = web["id"]
    owner["incident"] = incident["id"]
    owner["maintenance"] = window["id"]


def statuspage_v1(r, owner):
    r.begin("statuspage-v1")
    _, _, _, key = r.ask("POST", "/api/keys", body={"name": "v1", "role": "admin"},
                         headers=bearer(owner["token"], "acme"))
    h = {"Authorization": "OAuth " + key["token"]}
    _, _, _, pages = r.ask("GET", "/v1/pages", headers=h)
    page = pages[0]["id"]
    p = "/v1/pages/" + page
    r.ask("GET", p, headers=h)
    r.ask("GET", p + ".json", headers={"Authorization": key["token"]})
    r.ask("PATCH", p, raw=b"page%5Bname%5D=Acme+Status", headers=dict(h, **{"Content-Type":
                                                                              "application/x-www-form-urlencoded"}))
    r.ask("PUT", p, body={"page": {"time_zone": "UTC"}}, headers=h)
    _, _, _, component = r.ask("POST", p + "/components", body={"component": {"name": "CDN", "status": "operational"}},
                               headers=h)
    _, _, _, second = r.ask("POST", p + "/components", body={"component": {"name": "DNS"}}, headers=h)
    r.ask("GET", p + "/components", headers=h)
    r.ask("GET", p + "/components?per_page=1&page=2", headers=h)
    r.ask("GET", p + "/components/" + component["id"], headers=h)
    r.ask("PATCH", p + "/components/" + component["id"], body={"component": {"status": "partial_outage"}}, headers=h)
    r.ask("PUT", p + "/components/" + component["id"], body={"component": {"description": "Edge"}}, headers=h)
    r.ask("GET", p + "/components/%s/uptime" % component["id"], headers=h)
    _, _, _, group = r.ask("POST", p + "/component-groups",
                           body={"description": "Edge", "component_group": {"name": "Edge",
                                                                            "components": [component["id"]]}},
                           headers=h)
    r.ask("GET", p + "/component-groups", headers=h)
    r.ask("GET", p + "/component-groups/" + group["id"], headers=h)
    r.ask("PATCH", p + "/component-groups/" + group["id"], body={"component_group": {"name": "Edge network"}},
          headers=h)
    r.ask("PUT", p + "/component-groups/" + group["id"],
          body={"component_group": {"components": [component["id"], second["id"]]}}, headers=h)
    r.ask("GET", p + "/component-groups/%s/uptime" % group["id"], headers=h)
    _, _, _, incident = r.ask(
        "POST", p + "/incidents",
        body={"incident": {"name": "CDN slow", "status": "investigating", "body": "Slow in Europe.",
                           "component_ids": [component["id"]],
                           "components": {component["id"]: "degraded_performance"}}}, headers=h)
    _, _, _, scheduled = r.ask(
        "POST", p + "/incidents",
        body={"incident": {"name": "DNS move", "status": "scheduled", "scheduled_for": "2026-06-05T00:00:00Z",
                           "scheduled_until": "2026-06-05T01:00:00Z", "body": "Moving."}}, headers=h)
    for tail in ["", "/unresolved", "/scheduled", "/upcoming", "/active_maintenance"]:
        r.ask("GET", p + "/incidents" + tail, headers=h)
    r.ask("GET", p + "/incidents?q=CDN", headers=h)
    r.ask("GET", p + "/incidents/" + incident["id"], headers=h)
    r.ask("PATCH", p + "/incidents/" + incident["id"], body={"incident": {"status": "identified", "body": "Found."}},
          headers=h)
    _, _, _, updated = r.ask("PUT", p + "/incidents/" + incident["id"],
                             body={"incident": {"status": "resolved", "body": "Fixed."}}, headers=h)
    update = updated["incident_updates"]
    r.ask("PATCH", p + "/incidents/%s/incident_updates/%s" % (incident["id"], update[0]["id"]),
          body={"incident_update": {"body": "Fixed for good."}}, headers=h)
    r.ask("PUT", p + "/incidents/%s/incident_updates/%s" % (incident["id"], update[-1]["id"]),
          body={"incident_update": {"body": "Looking."}}, headers=h)
    r.ask("DELETE", p + "/incidents/" + scheduled["id"], headers=h)
    r.ask("DELETE", p + "/component-groups/" + group["id"], headers=h)
    r.ask("DELETE", p + "/components/" + second["id"], headers=h)
    org = owner["org"]
    r.ask("GET", "/v1/organizations/%s/users" % org, headers=h)
    _, _, _, user = r.ask("POST", "/v1/organizations/%s/users" % org,
                          body={"user": {"email": "v1user@example.com", "role": "viewer"}}, headers=h)
    r.ask("DELETE", "/v1/organizations/%s/users/%s" % (org, user["id"]), headers=h)
    r.ask("GET", p + "/components", headers={})
    r.ask("GET", p + "/components", headers={"Authorization": "OAuth sk_wrong_key"})
    r.ask("GET", "/v1/pages/nosuch/components", headers=h)
    r.ask("POST", p + "/components", body={"component": {"status": "sideways"}}, headers=h)
    r.ask("GET", p + "/components?page=0", headers=h)


def pages(r, ids):
    r.begin("pages")
    _, fields, _, _ = r.ask("GET", "/status/demo")
    r.ask("GET", "/status/demo", headers={"If-None-Match": fields.get("etag", "")})
    r.ask("GET", "/status/demo", headers={"Accept-Encoding": "gzip"})
    r.ask("GET", "/status/acme")
    r.ask("GET", "/status/demo/history")
    r.ask("GET", "/status/demo/history?page=2")
    r.ask("GET", "/status/demo/incidents/" + ids["incident"])
    if ids["maintenance"]:
        r.ask("GET", "/status/demo/maintenance/" + ids["maintenance"])
    r.ask("GET", "/status/demo/incidents/inc_00000000000000000000")
    r.ask("GET", "/status/nosuch")
    r.ask("GET", "/")
    r.ask("GET", "/dashboard")
    r.ask("GET", "/accept-invitation")
    r.ask("GET", "/docs")


def live(r, owner):
    r.begin("live")
    r.upgrade("/ws/demo")
    r.upgrade("/ws/demo?since=1")
    r.upgrade("/ws/nosuch")
    r.upgrade("/ws/demo", headers={"Origin": "https://evil.example.com"})
    r.upgrade("/ws")
    r.stream("/api/status/demo/events")
    r.stream("/api/status/demo/events?since=1")
    r.ask("GET", "/ws/demo", label="GET /ws/demo (no upgrade)")
    r.ask("GET", "/ws", label="GET /ws (no upgrade)")


def bad_requests(r, owner):
    r.begin("bad-requests")
    h = bearer(owner["token"], "acme")
    r.ask("GET", "/api/services")
    r.ask("GET", "/api/services", headers={"Authorization": "Bearer nonsense"})
    r.ask("GET", "/api/services", headers=bearer(owner["viewer_key"]))
    r.ask("POST", "/api/services", body={"name": "No"}, headers=bearer(owner["viewer_key"]))
    r.ask("POST", "/api/services", raw=b"{not json", headers=dict(h, **{"Content-Type": "application/json"}))
    r.ask("POST", "/api/services", body={"name": 42}, headers=h)
    r.ask("POST", "/api/services", body={"name": "X", "status": "sideways"}, headers=h)
    r.ask("POST", "/api/services", raw=b'{"name": "\xff\xfe"}', headers=dict(h, **{"Content-Type": "application/json"}))
    r.ask("POST", "/api/services", raw=b'{"name": "' + b"x" * 2_000_000 + b'"}',
          headers=dict(h, **{"Content-Type": "application/json"}), label="POST /api/services (a 2 MB body)")
    r.ask("GET", "/api/services/svc_00000000000000000000", headers=h)
    r.ask("GET", "/api/services/not-an-id", headers=h)
    r.ask("GET", "/api/services/" + owner["service"], headers=bearer(owner["token"], "globex"),
          label="GET /api/services/{id} (another organization's)")
    r.ask("PUT", "/api/incidents/%s/status" % owner["incident"], body={"status": "bogus"}, headers=h)
    r.ask("POST", "/api/maintenance", body={"name": "Backwards", "scheduled_start": "2026-06-02T02:00:00Z",
                                            "scheduled_end": "2026-06-02T00:00:00Z"}, headers=h)
    r.ask("POST", "/api/maintenance", body={"name": "Bad", "scheduled_start": "tomorrow"}, headers=h)
    r.ask("PUT", "/api/organizations/" + owner["org"], body={"accent_color": "red"}, headers=h)
    for address in ["169.254.169.254", "0x7f.1", "2130706433.example.123"]:
        r.ask("PUT", "/api/organizations/" + owner["org"], body={"custom_domain": address}, headers=h)
    r.ask("PATCH", "/api/services", headers=h)
    r.ask("GET", "/api/nothing-here")
    r.ask("GET", "/nothing-here")
    r.ask("OPTIONS", "/api/status/demo", headers={"Origin": "https://app.example.com",
                                                 "Access-Control-Request-Method": "GET"})
    r.ask("OPTIONS", "/api/services", headers={"Origin": "https://evil.example.com",
                                              "Access-Control-Request-Method": "POST"})
    r.ask("GET", "/api/status/demo", headers={"Origin": "https://app.example.com"},
          label="GET /api/status/demo (from an allowed origin)")
    r.ask("POST", "/api/auth/signup", body={"email": "short@example.com", "password": "short"})
    r.ask("POST", "/api/auth/signup", body={"email": "not an email", "password": "long enough password"})
    r.ask("GET", "/api/team/invitations/nosuchtoken")
    r.ask("GET", "/status/demo/badge.svg?uptime=sideways")
    r.ask("GET", "/api/status/demo/uptime?days=0")


def subscribers(r, owner):
    r.begin("subscribers")
    h = bearer(owner["token"], "acme")
    acme = owner["org"]
    r.ask("GET", "/api/subscription-settings", headers=h)
    r.ask("PUT", "/api/subscription-settings", body={"allow_incident_subscribers": False}, headers=h)
    hook_body = {"type": "webhook", "endpoint": "https://hooks.example.com/statusd?token=secret",
                 "contact_email": "ops@example.com"}
    _, _, _, hook = r.ask("POST", "/api/subscribers", body=hook_body, headers=h)
    r.ask("POST", "/api/subscribers", body=hook_body, headers=h, label="POST /api/subscribers (again)")
    r.ask("POST", "/api/subscribers", body={"type": "email", "email": "reader@example.com"}, headers=h,
          label="POST /api/subscribers (email: no mail server)")
    r.ask("POST", "/api/subscribers", body={"type": "pager"}, headers=h, label="POST /api/subscribers (bad type)")
    r.ask("GET", "/api/subscribers", headers=h)
    r.ask("GET", "/api/subscribers?state=active&type=webhook", headers=h)
    r.ask("GET", "/api/subscribers?state=gone", headers=h)
    r.ask("GET", "/api/subscribers/counts", headers=h)
    r.ask("GET", "/api/subscribers?q=HOOKS.example", headers=h)
    r.ask("GET", "/api/subscribers/export", headers=h)
    r.ask("GET", "/api/notifications", headers=h)
    r.ask("GET", "/api/subscribers/export", headers=bearer(owner["viewer_key"]), label="GET /api/subscribers/export (viewer)")
    r.ask("GET", "/api/subscribers/" + hook["id"], headers=h)
    r.ask("PUT", "/api/subscribers/" + hook["id"], body={"component_ids": []}, headers=h)
    r.ask("POST", "/api/subscribers/%s/reactivate" % hook["id"], headers=h)
    r.ask("GET", "/api/subscribers", headers=bearer(owner["viewer_key"]), label="GET /api/subscribers (viewer)")
    link = "/subscriptions/%s/%s/unsubscribe?token=not-the-token" % (acme, hook["id"])
    r.ask("GET", link)
    r.ask("POST", link)
    for purpose in ("confirm", "manage"):
        other = "/subscriptions/%s/%s/%s?token=not-the-token" % (acme, hook["id"], purpose)
        r.ask("GET", other)
        r.ask("POST", other, raw=b"components[]=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    # No mail server in this run: the page takes no email subscriptions, by form or by JSON.
    r.ask("POST", "/status/acme/subscribe", raw=b"email=reader%40example.com",
          headers={"Content-Type": "application/x-www-form-urlencoded"})
    r.ask("POST", "/api/status/acme/subscriptions", body={"email": "reader@example.com"})
    r.ask("DELETE", "/api/subscribers/" + hook["id"], headers=h)
    r.ask("PUT", "/api/subscription-settings", body={"allow_incident_subscribers": True}, headers=h)


def statuspage_v1_subscribers(r, owner):
    r.begin("statuspage-v1-subscribers")
    _, _, _, key = r.ask("POST", "/api/keys", body={"name": "v1 subscribers", "role": "admin"},
                         headers=bearer(owner["token"], "acme"))
    h = {"Authorization": "OAuth " + key["token"]}
    p = "/v1/pages/acme/subscribers"
    i = "/v1/pages/acme/incidents/%s/subscribers" % owner["incident"]
    _, _, _, hook = r.ask("POST", p, body={"subscriber": {"endpoint": "https://hooks.example.com/v1?token=secret",
                                                          "email": "ops@example.com"}}, headers=h)
    _, _, _, chat = r.ask("POST", p, body={"subscriber": {"endpoint": "https://discord.example.com/api/webhooks/1/x",
                                                          "mode": "discord"}}, headers=h)
    r.ask("POST", p, body={"subscriber": {"email": "reader@example.com"}}, headers=h,
          label="POST %s (email: no mail server)" % p)
    r.ask("POST", p, body={"subscriber": {"phone_number": "+15551234567"}}, headers=h,
          label="POST %s (sms: no provider)" % p)
    r.ask("GET", p, headers=h)
    r.ask("GET", p + "?state=all&type=webhook&sort_field=created_at&sort_direction=desc&limit=1&page=0", headers=h)
    r.ask("GET", p + "?sort_field=relevance", headers=h)
    r.ask("GET", p + "/count", headers=h)
    r.ask("GET", p + "/count?state=all&type=discord", headers=h)
    r.ask("GET", p + "/histogram_by_state", headers=h)
    r.ask("GET", p + "/unsubscribed", headers=h)
    r.ask("GET", p + "/" + hook["id"], headers=h)
    r.ask("PATCH", p + "/" + hook["id"], body={"component_ids": [owner["service"]]}, headers=h)
    r.ask("POST", p + "/%s/resend_confirmation" % hook["id"], headers=h)
    r.ask("POST", p + "/resend_confirmation", body={"subscribers": "all"}, headers=h)
    r.ask("POST", p + "/reactivate", body={"subscribers": [hook["id"]]}, headers=h)
    r.ask("POST", p + "/unsubscribe", body={"subscribers": [chat["id"]]}, headers=h)
    r.ask("POST", p + "/unsubscribe", body={"subscribers": ["sub_00000000000000000000"]}, headers=h,
          label="POST %s/unsubscribe (unknown)" % p)
    _, _, _, follower = r.ask("POST", i, body={"subscriber": {
        "endpoint": "https://hooks.example.com/one-incident", "email": "ops@example.com"}}, headers=h)
    r.ask("GET", i, headers=h)
    r.ask("GET", i + "/" + follower["id"], headers=h)
    r.ask("POST", i + "/%s/resend_confirmation" % follower["id"], headers=h)
    r.ask("DELETE", i + "/" + follower["id"], headers=h)
    r.ask("DELETE", p + "/" + hook["id"], headers=h)
    r.ask("GET", p, headers={"Authorization": "OAuth " + owner["viewer_key"]}, label="GET %s (viewer)" % p)


def closing(r, owner):
    r.begin("operations")
    r.ask("GET", "/health")
    r.ask("GET", "/ready")
    r.ask("GET", "/api/healthcheck")
    r.ask("GET", "/metrics", metrics=True)
    r.ask("POST", "/api/auth/logout", headers=bearer(owner["token"]))
    r.ask("GET", "/api/auth/me", headers=bearer(owner["token"]), label="GET /api/auth/me (after logout)")
    _, _, _, login = r.ask("POST", "/api/auth/login", body={"email": OWNER["email"], "password": "a new long secret"})
    r.ask("DELETE", "/api/organizations/" + owner["globex"], headers=bearer(login["token"], "globex"))
    r.ask("GET", "/api/organizations", headers=bearer(login["token"]))
