// Bundles the visual call-flow editor (Drawflow + src/) into the admin's static files:
// ../static/callcenter/flow-editor/editor.{js,css}. Nothing is fetched at run time.
// Usage: node build.mjs
import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
await build({
  entryPoints: { editor: path.join(here, "src/editor.js") },
  bundle: true,
  format: "iife",
  target: ["chrome109", "firefox115", "safari16"],
  minify: true,
  legalComments: "linked",
  outdir: path.join(here, "..", "static", "callcenter", "flow-editor"),
  logLevel: "warning",
});
