// Renders TeX with KaTeX for the site builder, kept alive for a whole build.
// Protocol: one JSON request per line on stdin, {"items": [{"tex": "...", "display": bool}, ...]},
// answered by one JSON line on stdout, {"results": [{"html": "..."} | {"error": "..."}, ...]}.
import { createRequire } from "node:module";
import readline from "node:readline";

const require = createRequire(process.env.KATEX_MODULE_DIR + "/");
const katex = require("katex");

const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
out({ ready: true, version: katex.version });

// A display formula with equation numbers: its body is wrapped in <span class="katex-body"> so the theme can
// let the body scroll sideways in its own box while the numbers (KaTeX's .katex-tag, the last child of
// .katex-html) stay in a column beside it, always in view and never over the formula.
const HTML_OPEN = '<span class="katex-html" aria-hidden="true">';
const TAG_OPEN = '<span class="katex-tag">';
function numbered(html) {
  const start = html.indexOf(HTML_OPEN);
  const tag = html.lastIndexOf(TAG_OPEN);
  if (start < 0 || tag < start || !html.startsWith('<span class="katex-display">')) return html;
  const body = start + HTML_OPEN.length;
  return '<span class="katex-display katex-numbered">' + html.slice('<span class="katex-display">'.length, body) +
    '<span class="katex-body">' + html.slice(body, tag) + "</span>" + html.slice(tag);
}

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
      return { html: display ? numbered(html) : html };
    } catch (e) {
      return { error: String(e.message || e) };
    }
  });
  out({ results });
});
