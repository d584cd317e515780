// Renders TeX with KaTeX for the site builder, kept alive for a whole build.
// Protocol: one JSON request per line on stdin, {"items": [{"tex": "...", "display": bool}, ...]},
// answered by one JSON line on stdout, {"results": [{"html": "..."} | {"error": "..."}, ...]}.
import { createRequire } from "node:module";
import readline from "node:readline";

const require = createRequire(process.env.KATEX_MODULE_DIR + "/");
const katex = require("katex");

const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
out({ ready: true, version: katex.version });

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  const { items } = JSON.parse(line);
  const results = items.map(({ tex, display }) => {
    try {
      // htmlAndMathml: the HTML is what readers see; the MathML is for screen readers.
      const html = katex.renderToString(tex, {
        displayMode: display,
        throwOnError: true,
        output: "htmlAndMathml",
        strict: "ignore",
        trust: false,
      });
      return { html };
    } catch (e) {
      return { error: String(e.message || e) };
    }
  });
  out({ results });
});
