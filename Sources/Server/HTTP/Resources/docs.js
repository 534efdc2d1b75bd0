"use strict";
// Renders /openapi.json: operations by tag, with parameters, body and answers; $refs expanded. Each
// operation can be sent from the page ("Try it"): its parameters and body filled in from the schema,
// the token from the page's header (in memory only), the answer shown with its status and headers.
(async function () {
  const doc = await (await fetch("/openapi.json")).json();
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  };
  const resolve = (schema) => {
    if (schema && schema.$ref) return doc.components[schema.$ref.split("/")[2]][schema.$ref.split("/")[3]];
    return schema;
  };
  // A schema as an indented sketch: {name: type, ...}, expanding references up to a depth.
  const sketch = (schema, depth = 0) => {
    const pad = "  ".repeat(depth);
    if (!schema) return "";
    if (schema.$ref) {
      const name = schema.$ref.split("/").pop();
      return depth > 3 ? name : sketch(resolve(schema), depth);
    }
    if (schema.oneOf) return schema.oneOf.map((s) => sketch(s, depth)).join(" | ");
    const types = [].concat(schema.type || "any");
    if (types.includes("object") && schema.properties) {
      const required = new Set(schema.required || []);
      const lines = Object.entries(schema.properties).map(([name, value]) =>
        pad + "  " + name + (required.has(name) ? "" : "?") + ": " + sketch(value, depth + 1));
      return "{\n" + lines.join(",\n") + "\n" + pad + "}";
    }
    if (types.includes("array")) return "[" + sketch(schema.items, depth) + "]";
    let text = types.join(" | ");
    if (schema.enum) text = schema.enum.map((v) => JSON.stringify(v)).join(" | ");
    if (schema.format) text += " (" + schema.format + ")";
    if (schema.pattern) text += " /" + schema.pattern + "/";
    return text;
  };
  // A value the schema accepts, for filling in a form: its example, default or first choice, else a
  // placeholder of its type ("string", as FastAPI's page does); objects get their required members.
  const example = (raw, depth = 0) => {
    const schema = resolve(raw);
    if (!schema || depth > 5) return null;
    if (schema.example !== undefined) return schema.example;
    if (schema.default !== undefined) return schema.default;
    if (schema.enum) return schema.enum[0];
    if (schema.oneOf) return example(schema.oneOf[0], depth);
    const type = [].concat(schema.type || "object").find((t) => t !== "null");
    if (type === "object") {
      const required = new Set(schema.required || []);
      const value = {};
      for (const [name, member] of Object.entries(schema.properties || {})) {
        if (required.has(name)) value[name] = example(member, depth + 1);
      }
      return value;
    }
    if (type === "array") return [];
    if (type === "integer" || type === "number") return schema.minimum ?? 0;
    if (type === "boolean") return false;
    if (schema.format === "date-time") return new Date().toISOString();
    if (schema.format === "email") return "someone@example.com";
    if (schema.format === "uri") return "https://example.com/";
    return "string";
  };
  const token = document.getElementById("token");
  const organization = document.getElementById("organization");
  // The answer: status, how long it took, every header the browser shows, the body (JSON indented).
  const show = (answer, response, text, started) => {
    const shown = [el("p", { class: "status" }, response.status + " " + response.statusText,
      el("span", { class: "muted" }, " in " + Math.round(performance.now() - started) + " ms"))];
    const headers = [...response.headers].map(([name, value]) => name + ": " + value).join("\n");
    shown.push(el("h5", {}, "Headers"), el("pre", { class: "headers" }, headers));
    let body = text;
    try { body = JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* not JSON: as it came */ }
    if (body) shown.push(el("h5", {}, "Body"), el("pre", { class: "body" }, body));
    answer.replaceChildren(...shown);
  };
  const tryIt = (path, method, op, params) => {
    const form = el("form", { class: "try" }, el("h4", {}, "Try it"));
    const fields = params.map((p) => {
      const value = example(p.schema);
      const input = el("input", { name: p.name, autocomplete: "off", spellcheck: "false" });
      input.value = p.in === "path" || value === "string" || value === null ? "" : String(value);
      if (p.required) input.required = true;
      form.append(el("label", {}, el("code", {}, p.name), " (" + p.in + ") ", input));
      return { p, input };
    });
    let body = null;
    let bodyType = null;
    if (op.requestBody) {
      // JSON for the API; the pages' forms take url-encoded fields, filled in as such.
      const [type, content] = Object.entries(op.requestBody.content)[0];
      bodyType = type;
      const value = example(content.schema);
      body = el("textarea", { name: "body", rows: "8", spellcheck: "false" });
      body.value = type === "application/json" ? JSON.stringify(value, null, 2)
        : new URLSearchParams(Object.entries(value || {}).map(([k, v]) => [k, String(v)])).toString();
      form.append(el("label", {}, "Body (" + type + ")", body));
    }
    const answer = el("div", { class: "answer", "aria-live": "polite" });
    form.append(el("button", { type: "submit" }, "Send " + method.toUpperCase() + " " + path), answer);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      let url = path;
      const query = new URLSearchParams();
      const headers = {};
      for (const { p, input } of fields) {
        if (!input.value) continue;
        if (p.in === "path") url = url.replace("{" + p.name + "}", encodeURIComponent(input.value));
        else if (p.in === "query") query.append(p.name, input.value);
        else if (p.in === "header") headers[p.name] = input.value;
      }
      if (token.value.trim()) headers.Authorization = "Bearer " + token.value.trim();
      if (organization.value.trim()) headers["X-Organization"] = organization.value.trim();
      if (body) headers["Content-Type"] = bodyType;
      const started = performance.now();
      answer.replaceChildren(el("p", { class: "muted" }, "Sending…"));
      try {
        // No cookie: what is tried here acts with the token given above, never the login session.
        const response = await fetch(url + (query.size ? "?" + query : ""), {
          method: method.toUpperCase(), headers, body: body ? body.value : undefined,
          credentials: "omit", cache: "no-store",
        });
        show(answer, response, await response.text(), started);
      } catch (error) {
        answer.replaceChildren(el("p", { class: "failed" }, "No answer: " + error.message));
      }
    });
    return form;
  };
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags || ["Other"])[0];
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, op });
    }
  }
  const main = document.getElementById("operations");
  const nav = document.getElementById("tags");
  main.textContent = "";
  for (const [tag, ops] of byTag) {
    const anchor = "tag-" + tag.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    nav.append(el("a", { href: "#" + anchor }, tag));
    main.append(el("h2", { id: anchor }, tag));
    for (const { path, method, op } of ops) {
      const body = el("div");
      if (op.description) body.append(el("p", {}, op.description));
      body.append(el("p", { class: "muted" }, op.security && op.security.length === 0 ? "No credentials." : "Authorization: Bearer <token>."));
      const params = (op.parameters || []).map(resolve);
      if (params.length) {
        const table = el("table", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "in"), el("th", {}, "schema"), el("th", {}, "")));
        for (const p of params) {
          table.append(el("tr", {}, el("td", {}, el("code", {}, p.name)), el("td", {}, p.in), el("td", {}, el("code", {}, sketch(p.schema))), el("td", {}, p.description || "")));
        }
        body.append(table);
      }
      if (op.requestBody) {
        const [type, content] = Object.entries(op.requestBody.content)[0];
        body.append(el("h4", {}, "Body" + (op.requestBody.required ? "" : " (optional)") + " — " + type),
          el("pre", {}, sketch(content.schema)));
      }
      body.append(el("h4", {}, "Answers"));
      for (const [status, raw] of Object.entries(op.responses)) {
        const response = resolve(raw);
        const content = response.content || {};
        const [type] = Object.keys(content);
        body.append(el("p", {}, el("strong", {}, status + " "), response.description + (type ? " — " + type : "")));
        if (type && status < 300 && content[type].schema) body.append(el("pre", {}, sketch(content[type].schema)));
      }
      body.append(tryIt(path, method, op, params));
      main.append(el("details", { id: op.operationId },
        el("summary", {}, el("span", { class: "method " + method }, method), el("code", {}, path), el("span", {}, op.summary || "")),
        body));
    }
  }
  if (location.hash) document.getElementById(location.hash.slice(1))?.setAttribute("open", "");
})();
