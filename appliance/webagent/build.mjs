// Builds the static workplace into dist/: index.html, one hashed ES module bundle (JsSIP,
// Preact, the app) and its stylesheet. Every URL is relative, so the app works under /agent/.
// Usage: node build.mjs [--outdir DIR]
import { build } from "esbuild";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const argOut = process.argv.indexOf("--outdir");
const outdir = argOut > 0 ? path.resolve(process.argv[argOut + 1]) : path.join(here, "dist");

await rm(outdir, { recursive: true, force: true });
await mkdir(path.join(outdir, "assets"), { recursive: true });

const result = await build({
  entryPoints: { app: path.join(here, "src/main.js"), style: path.join(here, "src/style.css") },
  bundle: true,
  format: "esm",
  target: ["chrome109", "firefox115", "safari16"],
  minify: true,
  sourcemap: "linked",
  legalComments: "linked",
  entryNames: "[name]-[hash]",
  outdir: path.join(outdir, "assets"),
  metafile: true,
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});

/** @type {Record<string, string>} */
const names = {};
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  if (meta.entryPoint) names[path.extname(file)] = path.basename(file);
}
const html = (await readFile(path.join(here, "src/index.html"), "utf8"))
  .replace("__APP_JS__", `assets/${names[".js"]}`)
  .replace("__APP_CSS__", `assets/${names[".css"]}`);
await writeFile(path.join(outdir, "index.html"), html);
await copyFile(path.join(here, "src/favicon.svg"), path.join(outdir, "favicon.svg"));
await mkdir(path.join(outdir, "examples"), { recursive: true });
for (const name of ["script-example.html"]) {
  await copyFile(path.join(here, "examples", name), path.join(outdir, "examples", name));
}
console.log(`webagent: built ${outdir}`);
