(function () {
  "use strict";
  var app = document.getElementById("app");
  var state = { me: null, csrf: null, org: null, role: null, socket: null, liveRetry: 1000, view: null, submitting: 0 };
  var LABELS = { operational: "Operational", degraded_performance: "Degraded performance",
    partial_outage: "Partial outage", major_outage: "Major outage", under_maintenance: "Under maintenance" };
  var RANK = { viewer: 0, editor: 1, admin: 2, owner: 3 };

  // ---- DOM, without HTML strings ----
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; }
      else if (name.slice(0, 2) === "on") { node.addEventListener(name.slice(2), value); }
      else { node.setAttribute(name, value === true ? "" : value); }
    });
    (function append(children) {
      children.forEach(function (child) {
        if (child === null || child === undefined || child === false) { return; }
        if (Array.isArray(child)) { append(child); return; }
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      });
    })(Array.prototype.slice.call(arguments, 2));
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function can(role) { return RANK[state.role] >= RANK[role]; }

  // ---- the API ----
  function api(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    if (method !== "GET" && state.csrf) { headers["X-CSRF-Token"] = state.csrf; }
    if (state.org) { headers["X-Organization"] = state.org.slug; }
    return fetch(path, { method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (response) {
        return response.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (error) { data = null; }
          return { status: response.status, ok: response.ok, data: data };
        });
      });
  }

  // ---- forms: fields with their errors beside them ----
  function form(spec) {
    var errors = {}, general = el("p", { "class": "form-error", role: "alert" });
    var controls = {};
    var rows = spec.fields.map(function (field) {
      var control;
      var id = "f-" + spec.name + "-" + field.name;
      if (field.type === "select") {
        control = el("select", { id: id, name: field.name },
          field.options.map(function (option) {
            return el("option", { value: option[0], selected: option[0] === field.value, text: option[1] });
          }));
      } else if (field.type === "textarea") {
        control = el("textarea", { id: id, name: field.name, rows: 3, required: field.required });
        control.value = field.value || "";
      } else if (field.type === "checkbox") {
        control = el("label", { "class": "check" }, el("input", { type: "checkbox", id: id, name: field.name,
          checked: !!field.value }), " ", field.label);
      } else if (field.type === "checkboxes") {
        control = el("fieldset", { id: id, "class": "checks" }, el("legend", { text: field.label }),
          field.options.map(function (option) {
            return el("label", {}, el("input", { type: "checkbox", name: field.name, value: option[0] }), " ", option[1]);
          }));
      } else {
        control = el("input", { id: id, name: field.name, type: field.type || "text", required: field.required,
          placeholder: field.placeholder, autocomplete: field.autocomplete });
        control.value = field.value || "";
      }
      controls[field.name] = control;
      errors[field.name] = el("span", { "class": "field-error", id: id + "-error", "data-field": field.name });
      if (field.type === "checkboxes" || field.type === "checkbox") {
        return el("div", { "class": "field" }, control, errors[field.name]);
      }
      return el("div", { "class": "field" }, el("label", { "for": id, text: field.label }), control,
        errors[field.name]);
    });
    var button = el("button", { type: "submit", text: spec.submit });
    var node = el("form", { "class": "form", "data-form": spec.name, novalidate: true }, rows, general,
      el("div", { "class": "actions" }, button));
    node.addEventListener("submit", function (event) {
      event.preventDefault();
      general.textContent = "";
      Object.keys(errors).forEach(function (name) { errors[name].textContent = ""; });
      var values = {};
      spec.fields.forEach(function (field) {
        if (field.type === "checkboxes") {
          values[field.name] = Array.prototype.slice.call(
            controls[field.name].querySelectorAll("input:checked")).map(function (box) { return box.value; });
        } else if (field.type === "checkbox") {
          values[field.name] = controls[field.name].querySelector("input").checked;
        } else { values[field.name] = controls[field.name].value; }
      });
      button.disabled = true;
      // A redraw while the answer is on its way would leave it to a form no longer on the page.
      state.submitting += 1;
      Promise.resolve(spec.send(values)).then(function (answer) {
        state.submitting -= 1;
        button.disabled = false;
        if (answer && !answer.ok) { showProblem(answer, errors, general); return; }
        node.reset();  // done: the fields no longer hold the view back from live redraws
        if (spec.done) { spec.done(answer); }
      }, function () {
        state.submitting -= 1;
        button.disabled = false;
        general.textContent = "statusd could not be reached; try again.";
      });
    });
    return node;
  }
  function showProblem(answer, errors, general) {
    var placed = false;
    ((answer.data || {}).errors || []).forEach(function (item) {
      var key = (item.field || "").split(".").pop();
      if (errors[key]) { errors[key].textContent = item.message; placed = true; }
    });
    if (!placed) { general.textContent = problemText(answer); }
  }
  function problemText(answer) {
    var data = answer.data || {};
    return data.detail || data.error || ("The server answered " + answer.status);
  }
  // A one-click action (move, resolve, delete, a status menu) has no form to hold its error: a
  // refused or failed one is told in the bar under the header (outside the view, so it never holds
  // live redraws back), and the view is drawn again from the server either way.
  function act(pending) {
    var notice = document.getElementById("action-error");
    notice.textContent = "";
    return Promise.all([].concat(pending)).then(function (answers) {
      var failed = answers.filter(function (answer) { return !answer.ok; })[0];
      if (failed) { notice.textContent = problemText(failed); }
      render();
    }, function () { notice.textContent = "statusd could not be reached; try again."; render(); });
  }
  function button(label, action, kind) {
    return el("button", { type: "button", "class": kind || "secondary", text: label, onclick: action });
  }
  function section(title) {
    return el("section", { "class": "panel" }, el("h2", { text: title }), Array.prototype.slice.call(arguments, 1));
  }

  // ---- who is signed in ----
  function loadMe() {
    return api("GET", "/api/auth/me").then(function (answer) {
      if (!answer.ok) { state.me = null; return null; }
      state.me = answer.data; state.csrf = answer.data.csrf_token;
      return state.me;
    });
  }
  function signedIn(answer) {
    state.csrf = answer.data.csrf_token;
    return loadMe().then(function () { connectLive(); route(); });
  }

  // ---- views ----
  function authView() {
    var invitation = new URLSearchParams(location.search).get("token");
    var login = form({ name: "login", submit: "Sign in", fields: [
      { name: "email", label: "Email", type: "email", required: true, autocomplete: "username" },
      { name: "password", label: "Password", type: "password", required: true, autocomplete: "current-password" }],
      send: function (v) { return api("POST", "/api/auth/login", { email: v.email, password: v.password }); },
      done: signedIn });
    var signup = form({ name: "signup", submit: "Create account", fields: [
      { name: "name", label: "Name", autocomplete: "name" },
      { name: "email", label: "Email", type: "email", required: true, autocomplete: "username" },
      { name: "password", label: "Password (10 characters or more)", type: "password", required: true,
        autocomplete: "new-password" }],
      send: function (v) {
        var body = { name: v.name, email: v.email, password: v.password };
        if (invitation) { body.invitation = invitation; }
        return api("POST", "/api/auth/signup", body);
      }, done: function (answer) {
        // Signing up with an invitation joins its organization at once: go there.
        if (invitation) { history.replaceState(null, "", "/dashboard#/"); }
        signedIn(answer).then(function () {
          if (invitation && state.me && state.me.organizations.length) {
            location.hash = "#/o/" + state.me.organizations[0].slug + "/services";
          }
        });
      } });
    return [section("Sign in", login), section("New here? Create an account", signup)];
  }

  function chooserView() {
    var list = el("ul", { "class": "orgs" }, state.me.organizations.map(function (org) {
      return el("li", {}, el("a", { href: "#/o/" + org.slug + "/services", text: org.name }),
        el("span", { "class": "muted", text: " " + org.role }));
    }));
    var create = form({ name: "organization", submit: "Create organization", fields: [
      { name: "name", label: "Name", required: true },
      { name: "slug", label: "Slug (the page's address: a-z, 0-9 and -)", required: true },
      { name: "time_zone", label: "Time zone", value: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC" }],
      send: function (v) { return api("POST", "/api/organizations", v); },
      done: function (answer) { loadMe().then(function () { location.hash = "#/o/" + answer.data.slug + "/services"; }); } });
    return [section("Your organizations", state.me.organizations.length ? list :
      el("p", { text: "You are not a member of an organization yet." })), section("New organization", create)];
  }

  function invitationView(token) {
    var box = el("div", {});
    api("GET", "/api/team/invitations/" + encodeURIComponent(token)).then(function (answer) {
      if (!answer.ok) { box.appendChild(el("p", { "class": "form-error", text: (answer.data || {}).detail || "This invitation is not open." })); return; }
      var invite = answer.data;
      box.appendChild(el("p", { text: "You are invited to " + invite.organization + " as " + invite.role +
        " (" + invite.email + ")." }));
      if (!state.me) { box.appendChild(el("p", { text: "Sign in or create an account with that email, then accept." })); return; }
      var problem = el("p", { "class": "form-error", role: "alert" });
      box.appendChild(button("Accept invitation", function () {
        api("POST", "/api/team/invitations/" + encodeURIComponent(token) + "/accept").then(function (result) {
          if (!result.ok) { problem.textContent = (result.data || {}).detail || "Could not accept."; return; }
          loadMe().then(function () { history.replaceState(null, "", "/dashboard#/o/" + invite.organization_slug + "/services"); route(); });
        });
      }, "primary"), problem);
    });
    return [section("Invitation", box)].concat(state.me ? [] : authView());
  }

  var TABS = [["services", "Services"], ["incidents", "Incidents"], ["maintenance", "Maintenance"],
    ["subscribers", "Subscribers"], ["team", "Team"], ["keys", "API keys"], ["settings", "Settings"]];
  // The switch on every write that can tell subscribers (the API's `notify`); on unless unticked.
  var NOTIFY = { name: "notify", label: "Notify subscribers", type: "checkbox", value: true };

  function orgView(slug, tab) {
    var membership = state.me.organizations.filter(function (o) { return o.slug === slug; })[0];
    if (!membership) { return [section("Not found", el("p", { text: "You are not a member of '" + slug + "'." }))]; }
    state.org = membership; state.role = membership.role;
    subscribe();
    var nav = el("nav", { "class": "tabs", "aria-label": "Sections" }, TABS.map(function (t) {
      return el("a", { href: "#/o/" + slug + "/" + t[0], "aria-current": t[0] === tab ? "page" : null, text: t[1] });
    }));
    var body = el("div", { id: "tab" });
    var header = el("div", { "class": "orghead" }, el("h1", { text: membership.name }),
      el("a", { href: "/status/" + slug, target: "_blank", rel: "noopener", text: "Public page" }),
      el("span", { "class": "muted", text: "Your role: " + membership.role }));
    (VIEWS[tab] || VIEWS.services)(body);
    return [header, nav, body];
  }

  function statusOptions() { return Object.keys(LABELS).map(function (k) { return [k, LABELS[k]]; }); }
  function when(text) { return text ? new Date(text).toLocaleString() : ""; }

  var VIEWS = {
    services: function (body) {
      Promise.all([api("GET", "/api/services?limit=200"), api("GET", "/api/service-groups?limit=200")]).then(function (r) {
        var services = (r[0].data || {}).items || [], groups = (r[1].data || {}).items || [];
        var names = {}; groups.forEach(function (g) { names[g.id] = g.name; });
        var editing = el("div", { id: "service-edit", "data-editing": true });
        // Services move within their group (the page shows groups in their own order); a move
        // renumbers the group's services, so equal positions never tie.
        function siblings(s) { return services.filter(function (o) { return o.group_id === s.group_id; }); }
        function move(s, step) {
          var order = siblings(s), index = order.indexOf(s);
          order.splice(index, 1);
          order.splice(index + step, 0, s);
          act(order.map(function (o, position) {
            return api("PUT", "/api/services/" + o.id, { position: position });
          }));
        }
        function editForm(s) {
          clear(editing);
          editing.appendChild(section("Edit " + s.name, form({ name: "service-edit", submit: "Save", fields: [
            { name: "name", label: "Name", value: s.name, required: true },
            { name: "description", label: "Description", value: s.description },
            { name: "group_id", label: "Group", type: "select", value: s.group_id || "",
              options: [["", "No group"]].concat(groups.map(function (g) { return [g.id, g.name]; })) }],
            send: function (v) {
              return api("PUT", "/api/services/" + s.id, { name: v.name, description: v.description, group_id: v.group_id || null });
            }, done: render })));
        }
        var rows = services.map(function (s) {
          var group = siblings(s), index = group.indexOf(s);
          var select = el("select", { "aria-label": "Status of " + s.name, disabled: !can("editor"),
            onchange: function () { act(api("PUT", "/api/services/" + s.id + "/status", { status: select.value })); } },
            statusOptions().map(function (o) { return el("option", { value: o[0], selected: o[0] === s.status, text: o[1] }); }));
          return el("tr", { "data-service": s.name }, el("td", { text: s.name }), el("td", { text: names[s.group_id] || "" }),
            el("td", {}, select), el("td", { "class": "actions" }, can("editor") ? [
              index > 0 ? button("↑", function () { move(s, -1); }) : null,
              index < group.length - 1 ? button("↓", function () { move(s, 1); }) : null,
              button("Edit", function () { editForm(s); }),
              button("Delete", function () {
                if (confirm("Delete " + s.name + "?")) { act(api("DELETE", "/api/services/" + s.id)); } })] : null));
        });
        clear(body);
        body.appendChild(section("Services", el("table", {}, el("thead", {}, el("tr", {}, el("th", { text: "Name" }),
          el("th", { text: "Group" }), el("th", { text: "Status" }), el("th", {}))), el("tbody", {}, rows))));
        body.appendChild(editing);
        if (can("editor")) {
          body.appendChild(section("Add a service", form({ name: "service", submit: "Add service", fields: [
            { name: "name", label: "Name", required: true }, { name: "description", label: "Description" },
            { name: "group_id", label: "Group", type: "select", options: [["", "No group"]].concat(groups.map(function (g) { return [g.id, g.name]; })) }],
            send: function (v) { return api("POST", "/api/services", { name: v.name, description: v.description, group_id: v.group_id || null }); },
            done: render })));
          body.appendChild(section("Add a group", form({ name: "group", submit: "Add group", fields: [
            { name: "name", label: "Name", required: true }],
            send: function (v) { return api("POST", "/api/service-groups", v); }, done: render })));
        }
      });
    },
    incidents: function (body) {
      Promise.all([api("GET", "/api/incidents?limit=50"), api("GET", "/api/services?limit=200")]).then(function (r) {
        var incidents = (r[0].data || {}).items || [], services = (r[1].data || {}).items || [];
        clear(body);
        var open = incidents.filter(function (i) { return i.status !== "resolved" && i.status !== "postmortem"; });
        body.appendChild(section("Open incidents", open.length ? open.map(function (i) { return incidentCard(i, true); })
          : el("p", { text: "No open incident." })));
        if (can("editor")) {
          body.appendChild(section("Open an incident", form({ name: "incident", submit: "Open incident", fields: [
            { name: "name", label: "Title", required: true },
            { name: "impact", label: "Impact", type: "select", value: "minor", options: [["none", "None"], ["minor", "Minor"], ["major", "Major"], ["critical", "Critical"]] },
            { name: "status", label: "Status", type: "select", options: [["investigating", "Investigating"], ["identified", "Identified"], ["monitoring", "Monitoring"]] },
            { name: "affected_status", label: "Affected services become", type: "select", value: "major_outage", options: statusOptions() },
            { name: "services", label: "Affected services", type: "checkboxes", options: services.map(function (s) { return [s.id, s.name]; }) },
            { name: "body", label: "Message", type: "textarea", required: true }, NOTIFY],
            send: function (v) {
              return api("POST", "/api/incidents", { name: v.name, impact: v.impact, status: v.status, body: v.body,
                notify: v.notify,
                affected_services: v.services.map(function (id) { return { service_id: id, status: v.affected_status }; }) });
            }, done: render })));
        }
        var past = incidents.filter(function (i) { return open.indexOf(i) < 0; });
        if (past.length) { body.appendChild(section("Resolved", past.map(function (i) { return incidentCard(i, false); }))); }
      });
    },
    maintenance: function (body) {
      Promise.all([api("GET", "/api/maintenance?limit=50"), api("GET", "/api/services?limit=200")]).then(function (r) {
        var windows = (r[0].data || {}).items || [], services = (r[1].data || {}).items || [];
        var editing = el("div", { id: "maintenance-edit", "data-editing": true });
        function local(iso) {
          var d = new Date(iso), pad = function (n) { return String(n).padStart(2, "0"); };
          return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
        }
        function editWindow(w) {
          clear(editing);
          editing.appendChild(section("Edit " + w.name, form({ name: "maintenance-edit", submit: "Save", fields: [
            { name: "name", label: "Title", value: w.name, required: true },
            { name: "description", label: "Description", type: "textarea", value: w.description },
            { name: "scheduled_start", label: "Starts", type: "datetime-local", value: local(w.scheduled_start) },
            { name: "scheduled_end", label: "Ends", type: "datetime-local", value: local(w.scheduled_end) }],
            send: function (v) {
              return api("PUT", "/api/maintenance/" + w.id, { name: v.name, description: v.description,
                scheduled_start: new Date(v.scheduled_start).toISOString(), scheduled_end: new Date(v.scheduled_end).toISOString() });
            }, done: render })));
        }
        clear(body);
        body.appendChild(section("Maintenance", windows.length ? windows.map(function (w) {
          var actions = [];
          if (can("editor") && w.status === "scheduled") {
            actions.push(button("Edit", function () { editWindow(w); }));
            actions.push(button("Start now", function () { act(api("PUT", "/api/maintenance/" + w.id + "/status", { status: "in_progress" })); }));
            actions.push(button("Cancel", function () { act(api("PUT", "/api/maintenance/" + w.id + "/status", { status: "cancelled" })); }));
          }
          if (can("editor") && (w.status === "in_progress" || w.status === "verifying")) {
            actions.push(button("Complete", function () { act(api("PUT", "/api/maintenance/" + w.id + "/status", { status: "completed" })); }));
          }
          return el("article", { "class": "card", "data-window": w.name }, el("h3", { text: w.name }),
            el("p", { "class": "muted", text: w.status.replace("_", " ") + " · " + when(w.scheduled_start) + " to " + when(w.scheduled_end) }),
            w.description ? el("p", { "class": "body", text: w.description }) : null, el("div", { "class": "actions" }, actions));
        }) : el("p", { text: "Nothing scheduled." })));
        body.appendChild(editing);
        if (can("editor")) {
          body.appendChild(section("Schedule maintenance", form({ name: "maintenance", submit: "Schedule", fields: [
            { name: "name", label: "Title", required: true }, { name: "description", label: "Description", type: "textarea" },
            { name: "scheduled_start", label: "Starts", type: "datetime-local", required: true },
            { name: "scheduled_end", label: "Ends", type: "datetime-local", required: true },
            { name: "services", label: "Services", type: "checkboxes", options: services.map(function (s) { return [s.id, s.name]; }) },
            NOTIFY],
            send: function (v) {
              function iso(local) { var d = new Date(local); return isNaN(d) ? local : d.toISOString(); }
              return api("POST", "/api/maintenance", { name: v.name, description: v.description, notify: v.notify,
                scheduled_start: iso(v.scheduled_start), scheduled_end: iso(v.scheduled_end), affected_services: v.services });
            }, done: render })));
        }
      });
    },
    subscribers: function (body) { subscribersView(body); },
    team: function (body) {
      api("GET", "/api/team/members?limit=200").then(function (answer) {
        var members = (answer.data || {}).items || [];
        clear(body);
        body.appendChild(section("Members", el("table", {}, el("tbody", {}, members.map(function (m) {
          var roles = ["viewer", "editor", "admin", "owner"].map(function (r) { return [r, r]; });
          var select = el("select", { "aria-label": "Role of " + (m.email || m.id), disabled: !can("admin"),
            onchange: function () { act(api("PUT", "/api/team/members/" + m.id, { role: select.value })); } },
            roles.map(function (o) { return el("option", { value: o[0], selected: o[0] === m.role, text: o[1] }); }));
          return el("tr", { "data-member": m.email || "" }, el("td", { text: m.name || "" }), el("td", { text: m.email || "" }),
            el("td", {}, select), el("td", {}, can("admin") ? button("Remove", function () {
              if (confirm("Remove " + (m.email || m.id) + "?")) { act(api("DELETE", "/api/team/members/" + m.id)); } }) : null));
        })))));
        if (can("admin")) {
          var link = el("p", { "class": "link", id: "invitation-link" });
          body.appendChild(section("Invite someone", form({ name: "invite", submit: "Create invitation", fields: [
            { name: "email", label: "Email", type: "email", required: true },
            { name: "role", label: "Role", type: "select", value: "editor", options: [["viewer", "Viewer"], ["editor", "Editor"], ["admin", "Admin"], ["owner", "Owner"]] }],
            send: function (v) { return api("POST", "/api/team/invite", v); },
            done: function (answer) {
              clear(link);
              var url = location.origin + answer.data.accept_path;
              link.appendChild(el("span", { text: "Send this link to " + answer.data.email + ": " }));
              link.appendChild(el("input", { readonly: true, value: url, "aria-label": "Invitation link", id: "invitation-url" }));
              link.appendChild(button("Copy", function () { if (navigator.clipboard) { navigator.clipboard.writeText(url); } }));
            } }), link));
        }
      });
    },
    keys: function (body) {
      if (!can("admin")) { clear(body); body.appendChild(section("API keys", el("p", { text: "Admins manage API keys." }))); return; }
      api("GET", "/api/keys").then(function (answer) {
        var keys = (answer.data || {}).items || [];
        clear(body);
        var secret = el("p", { "class": "link", id: "key-secret" });
        body.appendChild(section("API keys", keys.length ? el("table", {}, el("tbody", {}, keys.map(function (k) {
          return el("tr", {}, el("td", { text: k.name }), el("td", { text: k.role }), el("td", { text: when(k.created_at) }),
            el("td", {}, button("Revoke", function () { if (confirm("Revoke " + k.name + "?")) { act(api("DELETE", "/api/keys/" + k.id)); } })));
        }))) : el("p", { text: "No key yet." })));
        body.appendChild(section("Create a key", form({ name: "key", submit: "Create key", fields: [
          { name: "name", label: "Name", required: true },
          { name: "role", label: "Role", type: "select", value: "editor", options: [["viewer", "Viewer"], ["editor", "Editor"], ["admin", "Admin"]] }],
          send: function (v) { return api("POST", "/api/keys", v); },
          done: function (answer) {
            clear(secret);
            secret.appendChild(el("span", { text: "Shown once; keep it secret: " }));
            secret.appendChild(el("input", { readonly: true, value: answer.data.token, "aria-label": "New API key" }));
          } }), secret));
      });
    },
    settings: function (body) {
      api("GET", "/api/organizations/current").then(function (answer) {
        var org = answer.data || {};
        clear(body);
        if (!can("admin")) { body.appendChild(section("Settings", el("p", { text: "Admins change the settings." }))); return; }
        body.appendChild(section("Settings", form({ name: "settings", submit: "Save", fields: [
          { name: "name", label: "Name", value: org.name, required: true },
          { name: "slug", label: "Slug", value: org.slug, required: true },
          { name: "time_zone", label: "Time zone", value: org.time_zone },
          { name: "logo_url", label: "Logo (https URL)", value: org.logo_url || "" },
          { name: "accent_color", label: "Accent colour (#rrggbb)", value: org.accent_color || "" },
          { name: "custom_domain", label: "Custom domain", value: org.custom_domain || "" }],
          send: function (v) {
            var patch = { name: v.name, slug: v.slug, time_zone: v.time_zone, logo_url: v.logo_url || null,
              accent_color: v.accent_color || null, custom_domain: v.custom_domain || null };
            return api("PUT", "/api/organizations/" + org.id, patch);
          },
          done: function (result) { loadMe().then(function () { location.hash = "#/o/" + result.data.slug + "/settings"; route(); }); } })));
      });
    }
  };

  // ---- subscribers: the counts for editors; the list, search, add, remove and export for admins ----
  // (addresses are personal data; a URL subscriber's endpoint is a secret and comes masked)
  function subscribersView(body) {
    if (!can("editor")) {
      clear(body);
      body.appendChild(section("Subscribers", el("p", { id: "subscribers-hidden",
        text: "Editors see how many people subscribe; admins and owners see who." })));
      return;
    }
    var query = state.subscriberQuery || { q: "", state: "" };
    var path = "/api/subscribers?limit=100" + (query.q ? "&q=" + encodeURIComponent(query.q) : "") +
      (query.state ? "&state=" + query.state : "");
    Promise.all([api("GET", "/api/subscribers/counts"), api("GET", "/api/services?limit=200"),
      can("admin") ? api("GET", path) : Promise.resolve(null),
      can("admin") ? api("GET", "/api/notifications") : Promise.resolve(null)]).then(function (r) {
      var counts = r[0].data || {}, services = (r[1].data || {}).items || [];
      var names = {}; services.forEach(function (s) { names[s.id] = s.name; });
      var byState = counts.by_state || {}, byType = counts.by_type || {};
      clear(body);
      body.appendChild(section("Subscribers", el("p", { id: "subscriber-counts",
        text: (counts.total || 0) + " in all: " + (byState.active || 0) + " active, " + (byState.unconfirmed || 0) +
          " unconfirmed, " + (byState.quarantined || 0) + " quarantined" }),
        el("p", { "class": "muted", text: Object.keys(byType).filter(function (t) { return byType[t]; }).map(function (t) {
          return t + " " + byType[t]; }).join(" · ") })));
      if (!can("admin")) { body.appendChild(el("p", { text: "Admins and owners see and manage the subscribers themselves." })); return; }
      var listed = (r[2].data || {}).items || [];
      body.appendChild(section("Find", form({ name: "subscriber-search", submit: "Search", fields: [
        { name: "q", label: "Address contains", value: query.q },
        { name: "state", label: "State", type: "select", value: query.state, options: [["", "Any"],
          ["active", "Active"], ["unconfirmed", "Unconfirmed"], ["quarantined", "Quarantined"]] }],
        send: function (v) { state.subscriberQuery = { q: v.q, state: v.state }; return { ok: true }; }, done: render }),
        el("div", { "class": "actions" }, button("Export CSV", function () { exportSubscribers(); }))));
      body.appendChild(section("List", listed.length ? el("table", {}, el("thead", {}, el("tr", {},
        ["Address", "Type", "State", "Follows", "Since", ""].map(function (h) { return el("th", { text: h }); }))),
        el("tbody", {}, listed.map(function (s) {
          var address = s.email || s.endpoint || s.phone_number || "";
          var follows = s.incident_id ? "one incident" : s.component_ids.length ?
            s.component_ids.map(function (id) { return names[id] || id; }).join(", ") : "everything";
          return el("tr", { "data-subscriber": address }, el("td", { text: address }), el("td", { text: s.type }),
            el("td", { text: s.state, title: s.quarantine_reason || null }), el("td", { text: follows }),
            el("td", { text: when(s.created_at) }), el("td", { "class": "actions" },
              s.state === "quarantined" ? button("Reactivate", function () { act(api("POST", "/api/subscribers/" + s.id + "/reactivate")); }) : null,
              button("Remove", function () { if (confirm("Remove " + address + "?")) { act(api("DELETE", "/api/subscribers/" + s.id)); } })));
        }))) : el("p", { text: query.q || query.state ? "Nobody matches." : "Nobody has subscribed yet." }),
        listed.length === 100 ? el("p", { "class": "muted", text: "The first 100; narrow the search, or export them all." }) : null));
      // While the signing secret shows, live redraws wait (`typing`): it is shown once.
      body.appendChild(deliveryLog((r[3].data || {}).items || []));
      var secret = el("p", { "class": "link", id: "subscriber-secret", "data-editing": true });
      body.appendChild(section("Add a subscriber", form({ name: "subscriber", submit: "Add subscriber", fields: [
        { name: "type", label: "Type", type: "select", value: "email", options: [["email", "Email"], ["webhook", "Webhook"],
          ["slack", "Slack"], ["teams", "Microsoft Teams"], ["discord", "Discord"]] },
        { name: "address", label: "Email address, or the URL to post to" },
        { name: "contact_email", label: "Contact email (webhooks: told when it fails)", type: "email" },
        { name: "components", label: "Only these services (none: everything)", type: "checkboxes",
          options: services.map(function (s) { return [s.id, s.name]; }) },
        { name: "skip_confirmation", label: "Already agreed: no confirmation mail", type: "checkbox" },
        { name: "sign", label: "Sign webhook requests", type: "checkbox" }],
        send: function (v) {
          var input = { type: v.type, component_ids: v.components, skip_confirmation_notification: v.skip_confirmation,
            sign: v.sign && v.type === "webhook" };
          if (v.type === "email") { input.email = v.address; } else { input.endpoint = v.address; }
          if (v.contact_email) { input.contact_email = v.contact_email; }
          return api("POST", "/api/subscribers", input);
        },
        done: function (answer) {
          if (!answer.data.signing_secret) { render(); return; }
          clear(secret);
          secret.appendChild(el("span", { text: "Shown once; give it to the receiver to check signatures: " }));
          secret.appendChild(el("input", { readonly: true, value: answer.data.signing_secret, "aria-label": "Signing secret" }));
        } }), secret));
    });
  }
  // Each recent notification: to how many, how it went, and its latest failures and why.
  function deliveryLog(notifications) {
    return section("Delivery log", notifications.length ? el("table", { id: "delivery-log" }, el("thead", {}, el("tr", {},
      ["Notification", "Asked for", "Sent", "Failed", "Retrying", "Quarantined", "Done"].map(function (h) {
        return el("th", { text: h }); }))),
      el("tbody", {}, notifications.map(function (n) {
        var failures = n.failures.length ? el("details", {}, el("summary", { text: "Latest failures (" + n.failures.length + ")" }),
          el("ul", {}, n.failures.map(function (f) {
            return el("li", { text: when(f.at) + " · " + f.address + " · " + f.outcome + ": " + f.reason });
          }))) : null;
        return el("tr", { "data-notification": n.id }, el("td", {}, el("span", { text: n.title }), failures),
          el("td", { text: when(n.requested_at) }), el("td", { text: n.sent + " of " + n.recipients }),
          el("td", { text: String(n.failed_attempts) }), el("td", { text: String(n.retrying) }),
          el("td", { text: String(n.quarantined) }), el("td", { text: n.finished_at ? when(n.finished_at) : "under way" }));
      }))) : el("p", { text: "No notification sent since this node started delivering." }),
      el("p", { "class": "muted", text: "Kept by the node that delivers, for a week; what is owed survives a restart in the delivery journal." }));
  }
  // The export is a file: fetched with the organization header, then handed to the browser to save.
  function exportSubscribers() {
    var notice = document.getElementById("action-error");
    notice.textContent = "";
    fetch("/api/subscribers/export", { credentials: "same-origin", headers: { "X-Organization": state.org.slug } })
      .then(function (response) {
        if (!response.ok) { notice.textContent = "The export failed: the server answered " + response.status; return null; }
        return response.blob().then(function (blob) {
          var link = el("a", { href: URL.createObjectURL(blob), download: "subscribers-" + state.org.slug + ".csv", hidden: true });
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
        });
      }, function () { notice.textContent = "statusd could not be reached; try again."; });
  }

  function incidentCard(incident, open) {
    var card = el("article", { "class": "card impact-" + incident.impact, "data-incident": incident.name },
      el("h3", { text: incident.name }),
      el("p", { "class": "muted", text: incident.status + " · " + incident.impact + " impact · " + when(incident.created_at) }),
      el("ol", { "class": "timeline" }, incident.updates.map(function (u) {
        return el("li", {}, el("strong", { text: u.status + " " }), el("span", { "class": "body", text: u.body }),
          el("time", { text: when(u.created_at) }));
      })));
    if (open && can("editor")) {
      card.appendChild(form({ name: "update-" + incident.id, submit: "Post update", fields: [
        { name: "status", label: "Status", type: "select", value: incident.status,
          options: [["investigating", "Investigating"], ["identified", "Identified"], ["monitoring", "Monitoring"], ["resolved", "Resolved"]] },
        { name: "body", label: "Message", type: "textarea", required: true }, NOTIFY],
        send: function (v) { return api("POST", "/api/incidents/" + incident.id + "/updates", v); }, done: render }));
      card.appendChild(el("div", { "class": "actions" }, button("Resolve", function () {
        act(api("PUT", "/api/incidents/" + incident.id + "/resolve")); }, "primary")));
    }
    if (can("editor")) {
      card.appendChild(el("div", { "class": "actions" }, button("Delete", function () {
        if (confirm("Delete the incident " + incident.name + "? It leaves the history too.")) {
          act(api("DELETE", "/api/incidents/" + incident.id));
        } })));
    }
    return card;
  }

  // ---- live ----
  function connectLive() {
    if (state.socket || !state.me || !window.WebSocket) { return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws");
    state.socket = socket;
    socket.onopen = function () { state.liveRetry = 1000; indicator("live", "Live"); subscribe(); };
    socket.onmessage = function (event) {
      var frame; try { frame = JSON.parse(event.data); } catch (error) { return; }
      if (frame.type === "hello" || frame.type === "subscribed" || frame.type === "pong") { return; }
      if (state.org && frame.org && frame.org !== state.org.slug && frame.org !== state.org.id) { return; }
      refreshSoon();
    };
    // Jittered and growing, so that the clients of a node that closed them all do not return at once.
    socket.onclose = function () {
      var retry = state.liveRetry || 1000;
      state.socket = null;
      indicator("offline", "Reconnecting…");
      setTimeout(connectLive, retry / 2 + Math.random() * retry / 2);
      state.liveRetry = Math.min(retry * 2, 30000);
    };
  }
  // A change elsewhere redraws the view, but never under someone typing: a form with focus,
  // with text in it, showing an error or waiting for its answer puts the redraw off until it is
  // left alone.
  function typing() {
    if (state.submitting > 0) { return true; }
    var active = document.activeElement;
    if (active && app.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) { return true; }
    if (Array.prototype.some.call(app.querySelectorAll(".field-error, .form-error"),
      function (node) { return node.textContent !== ""; })) { return true; }
    if (Array.prototype.some.call(app.querySelectorAll("[data-editing]"),
      function (node) { return node.firstChild !== null; })) { return true; }  // an edit form is open
    return Array.prototype.some.call(app.querySelectorAll("form textarea, form input:not([type=checkbox])"),
      function (field) { return !field.readOnly && field.value && field.defaultValue !== field.value; });
  }
  function refreshSoon() {
    clearTimeout(state.pending);
    state.pending = setTimeout(function () { if (typing()) { refreshSoon(); } else { render(); } }, 300);
  }
  function subscribe() {
    if (state.socket && state.socket.readyState === 1 && state.org) {
      state.socket.send(JSON.stringify({ type: "subscribe", org: state.org.slug }));
    }
  }
  function indicator(kind, text) {
    var node = document.getElementById("live");
    if (node) { node.dataset.state = kind; node.textContent = text; }
  }

  // ---- routing ----
  function render() {
    var nodes;
    var token = location.pathname === "/accept-invitation" ? new URLSearchParams(location.search).get("token") : null;
    var parts = location.hash.replace(/^#\/?/, "").split("/");
    if (token) { nodes = invitationView(token); }
    else if (!state.me) { nodes = authView(); }
    else if (parts[0] === "o" && parts[1]) { nodes = orgView(decodeURIComponent(parts[1]), parts[2] || "services"); }
    else { state.org = null; nodes = chooserView(); }
    clear(app);
    nodes.forEach(function (node) { app.appendChild(node); });
    var account = document.getElementById("account");
    clear(account);
    if (state.me) {
      account.appendChild(el("span", { text: state.me.account.email + " " }));
      account.appendChild(el("a", { href: "#/", text: "Organizations" }));
      account.appendChild(button("Sign out", function () {
        api("POST", "/api/auth/logout").then(function () { state.me = null; state.csrf = null; location.hash = "#/"; render(); });
      }));
    }
  }
  function route() { render(); }
  window.addEventListener("hashchange", route);
  loadMe().then(function () { if (state.me) { connectLive(); } route(); });
})();
