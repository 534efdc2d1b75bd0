"use strict";
// Renders /openapi.json: operations by tag, with parameters, body and answers; $refs expanded.
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
        const schema = op.requestBody.content["application/json"].schema;
        body.append(el("h4", {}, "Body" + (op.requestBody.required ? "" : " (optional)")), el("pre", {}, sketch(schema)));
      }
      body.append(el("h4", {}, "Answers"));
      for (const [status, raw] of Object.entries(op.responses)) {
        const response = resolve(raw);
        const content = response.content || {};
        const [type] = Object.keys(content);
        body.append(el("p", {}, el("strong", {}, status + " "), response.description + (type ? " — " + type : "")));
        if (type && status < 300 && content[type].schema) body.append(el("pre", {}, sketch(content[type].schema)));
      }
      main.append(el("details", { id: op.operationId },
        el("summary", {}, el("span", { class: "method " + method }, method), el("code", {}, path), el("span", {}, op.summary || "")),
        body));
    }
  }
  if (location.hash) document.getElementById(location.hash.slice(1))?.setAttribute("open", "");
})();
