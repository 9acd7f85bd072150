// Builds the workbench's browser assets from node_modules (installed by `npm ci` from the
// lockfile) into workbench/static/vendor: htmx as published, and DingTalk's JS API bundled
// (it ships as CommonJS modules) with the workbench's sign-in entry. Run by `make assets`.
import { copyFileSync, mkdirSync } from "node:fs";
import { build } from "esbuild";

const out = "workbench/static/vendor";
mkdirSync(out, { recursive: true });
copyFileSync("node_modules/htmx.org/dist/htmx.min.js", `${out}/htmx.min.js`);
await build({
  entryPoints: ["workbench/assets/dingtalk.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome80", "safari13"],
  outfile: `${out}/dingtalk.js`,
  legalComments: "none",
  logLevel: "warning",
});
