/// The `/docs` viewer: one page, a stylesheet and a script that render `/openapi.json` in the browser,
/// all served by statusd itself so that the docs work without internet access. Written by hand
/// because the usual viewers (Swagger UI, Redoc) are megabyte bundles made by a JavaScript build that
/// this project does not have; the document only needs to be read, tag by tag and schema by schema.
package enum DocsViewer {
    package static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>statusd API</title>
        <link rel="stylesheet" href="/docs/viewer.css">
        <script src="/docs/viewer.js" defer></script>
        </head>
        <body>
        <header><h1>statusd API</h1><p id="summary">The contract is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p></header>
        <nav id="tags" aria-label="Areas"></nav>
        <main id="operations"><noscript>This page renders <a href="/openapi.json">/openapi.json</a> with JavaScript; the document itself reads without it.</noscript></main>
        </body>
        </html>

        """

    package static let css = """
        :root { color-scheme: light dark; --line: #8884; --muted: #777; --get: #1f7a3d; --post: #1d5fb4; --put: #a05a00; --delete: #b3261e; }
        body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; }
        h1 { margin: 0 0 .25rem; } h2 { margin-top: 2rem; border-bottom: 1px solid var(--line); }
        nav a { margin-right: .75rem; }
        details { border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0; padding: .25rem .75rem; }
        summary { cursor: pointer; display: flex; gap: .75rem; align-items: baseline; }
        .method { font: bold 12px monospace; text-transform: uppercase; min-width: 4rem; }
        .get { color: var(--get); } .post { color: var(--post); } .put { color: var(--put); } .delete { color: var(--delete); }
        code, pre { font: 13px/1.4 ui-monospace, monospace; }
        pre { overflow-x: auto; border-left: 3px solid var(--line); padding-left: .75rem; }
        table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .2rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        .muted { color: var(--muted); }

        """

    package static let script = #"""
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

        """#
}
