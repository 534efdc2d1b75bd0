(function () {
  "use strict";
  var body = document.body, slug = body.dataset.slug, seq = Number(body.dataset.seq) || 0;
  var live = document.getElementById("live");
  if (!slug || !live || !window.WebSocket) { return; }
  var retry = 1000, busy = false, again = false;
  function show(state, text) { live.dataset.state = state; live.textContent = text; }
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.pathname + location.search, { headers: { "Accept": "text/html" }, cache: "no-cache" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (text === null) { return; }
        var next = new DOMParser().parseFromString(text, "text/html");
        var main = next.getElementById("page"), current = document.getElementById("page");
        if (main && current) { current.replaceWith(document.adoptNode(main)); }
        var nextSeq = Number(next.body.dataset.seq) || 0;
        if (nextSeq > seq) { seq = nextSeq; }
      })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws/" + encodeURIComponent(slug) + "?since=" + seq);
    show("connecting", "Connecting…");
    socket.onopen = function () { retry = 1000; show("live", "Live"); };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (error) { return; }
      if (frame.type === "pong" || frame.type === "subscribed") { return; }
      if (frame.type === "hello") { if ((frame.seq || 0) > seq) { refresh(); } return; }
      // The feed cannot fill the gap (too old, or a log restored behind this page): refetch, and
      // follow from the seq it names, which may be lower than the page's.
      if (frame.type === "resync") { seq = frame.seq || 0; refresh(); return; }
      if (typeof frame.seq === "number" && frame.seq <= seq) { return; }
      if (typeof frame.seq === "number") { seq = frame.seq; }
      refresh();
    };
    // A node going away (1001) or sending its clients elsewhere (1013) closes every connection at
    // once: a random share of the delay spreads their returns over the other nodes.
    socket.onclose = function () {
      show("offline", "Reconnecting…");
      setTimeout(connect, retry / 2 + Math.random() * retry / 2);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();
