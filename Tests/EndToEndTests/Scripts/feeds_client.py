"""Reads statusd's history feeds with feedparser (what feed readers and chat bots use) and its
badges as XML and JSON. Prints one JSON object the Swift test checks.

    python feeds_client.py <port> <slug> <service id>
"""
import json
import sys
import xml.etree.ElementTree as ElementTree

import feedparser

import statusd_http

PORT, SLUG, SERVICE = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def get(path, headers=None):
    return statusd_http.request(PORT, "GET", path, headers=headers)


out = {"feeds": {}}
for path in ["/s/%s/history.rss" % SLUG, "/s/%s/history.atom" % SLUG,
             "/status/%s/feed.rss" % SLUG, "/status/%s/feed.atom" % SLUG]:
    code, headers, body = get(path)
    ElementTree.fromstring(body)  # well-formed, or this raises
    feed = feedparser.parse(body)
    out["feeds"][path] = {
        "status": code, "type": headers.get("Content-Type"), "version": feed.version, "bozo": bool(feed.bozo),
        "title": feed.feed.get("title"),
        "entries": [{"title": e.get("title"), "link": e.get("link"),
                     "summary": e.get("summary") or (e.get("content") or [{}])[0].get("value")}
                    for e in feed.entries],
    }
    etag = headers.get("ETag", "")
    out["feeds"][path]["revalidated"] = get(path, {"If-None-Match": etag})[0]

code, headers, body = get("/status/%s/badge.svg" % SLUG)
svg = ElementTree.fromstring(body)
out["page_badge"] = {"status": code, "type": headers.get("Content-Type"),
                     "title": svg.find("{http://www.w3.org/2000/svg}title").text}
out["page_badge_json"] = json.loads(get("/status/%s/badge.json" % SLUG)[2])
code, headers, body = get("/status/%s/services/%s/badge.svg?uptime=true" % (SLUG, SERVICE))
out["service_badge"] = {"status": code,
                        "title": ElementTree.fromstring(body).find("{http://www.w3.org/2000/svg}title").text}
out["service_badge_json"] = json.loads(get("/status/%s/services/%s/badge.json" % (SLUG, SERVICE))[2])
out["unknown_service"] = get("/status/%s/services/svc_00000000000000000000/badge.svg" % SLUG)[0]
out["bad_uptime"] = get("/status/%s/services/%s/badge.svg?uptime=maybe" % (SLUG, SERVICE))[0]
code, headers, body = get("/status/%s/embed.js" % SLUG)
out["embed"] = {"status": code, "type": headers.get("Content-Type"), "bytes": len(body),
                "innerHTML": b"innerHTML" in body}
out["embed_unknown"] = get("/status/nobody-here/embed.js")[0]
print(json.dumps(out))
