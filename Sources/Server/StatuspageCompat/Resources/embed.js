(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var url = new URL(script.src);
  var match = url.pathname.match(/^\/status\/([^/]+)\/embed\.js$/);
  if (!match) return;
  var slug = match[1];
  var page = url.origin + "/status/" + encodeURIComponent(slug);
  var colors = { none: "#2e7d32", minor: "#b7791f", major: "#c05621", critical: "#c53030", maintenance: "#2b6cb0" };
  var banner = document.createElement("div");
  banner.setAttribute("role", "status");
  banner.setAttribute("aria-live", "polite");
  banner.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483647;max-width:360px;" +
    "padding:12px 16px;border-radius:8px;color:#fff;font:14px/1.4 system-ui,sans-serif;" +
    "box-shadow:0 4px 16px rgba(0,0,0,.25);display:none";
  var title = document.createElement("strong");
  var text = document.createElement("div");
  var link = document.createElement("a");
  link.href = page;
  link.textContent = "View status";
  link.style.cssText = "color:#fff;text-decoration:underline";
  banner.appendChild(title);
  banner.appendChild(text);
  banner.appendChild(link);
  function attach() { if (!banner.parentNode && document.body) document.body.appendChild(banner); }
  function show(summary) {
    var incident = summary.active_incidents && summary.active_incidents[0];
    var maintenance = summary.active_maintenance && summary.active_maintenance[0];
    var item = incident || maintenance;
    if (!item) { banner.style.display = "none"; return; }
    var latest = item.updates && item.updates.length ? item.updates[item.updates.length - 1].body : "";
    banner.style.background = colors[summary.status && summary.status.indicator] || colors.major;
    title.textContent = (incident ? "" : "Maintenance: ") + item.name;
    text.textContent = latest;
    attach();
    banner.style.display = "block";
  }
  var pending = null;
  function refresh() {
    if (pending) return;
    pending = setTimeout(function () {
      pending = null;
      fetch(url.origin + "/api/status/" + encodeURIComponent(slug), { credentials: "omit" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (summary) { if (summary) show(summary); })
        .catch(function () {});
    }, 300);
  }
  var delay = 1000;
  function follow() {
    var socket = new WebSocket(url.origin.replace(/^http/, "ws") + "/ws/" + encodeURIComponent(slug));
    socket.onopen = function () { delay = 1000; refresh(); };
    socket.onmessage = function (event) {
      try { if (JSON.parse(event.data).type !== "hello") refresh(); } catch (e) {}
    };
    socket.onclose = function () {
      setTimeout(follow, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  refresh();
  if ("WebSocket" in window) follow();
})();
