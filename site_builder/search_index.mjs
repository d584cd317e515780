// Build the pagefind index of a built site, plus custom records (the code's definitions).
// Usage: node search_index.mjs NODE_MODULES SITE_DIR RECORDS.json EXCLUDE_SELECTORS
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [nodeModules, siteDir, recordsFile, exclude] = process.argv.slice(2);
// pagefind from the project's node_modules (pinned in package-lock.json), wherever this script lives.
const pkg = JSON.parse(await readFile(path.join(nodeModules, "pagefind", "package.json"), "utf8"));
const entry = (pkg.exports && (pkg.exports["."]?.import || pkg.exports["."]?.default || pkg.exports["."])) || pkg.main;
const pagefind = await import(pathToFileURL(path.join(nodeModules, "pagefind", typeof entry === "string" ? entry : "lib/index.js")).href);
const records = JSON.parse(await readFile(recordsFile, "utf8"));
const fail = (what, errors) => { console.error(`${what}: ${errors.join("; ")}`); process.exitCode = 1; };
try {
  const { index, errors } = await pagefind.createIndex({
    excludeSelectors: exclude.split(",").map((s) => s.trim()).filter(Boolean),
    keepIndexUrl: true,
  });
  if (errors.length) throw new Error(errors.join("; "));
  const added = await index.addDirectory({ path: siteDir });
  if (added.errors.length) fail("indexing the site", added.errors);
  for (const record of records) {
    const r = await index.addCustomRecord(record);
    if (r.errors.length) fail(`record ${record.url}`, r.errors);
  }
  const written = await index.writeFiles({ outputPath: `${siteDir}/pagefind` });
  if (written.errors.length) fail("writing the index", written.errors);
} finally {
  await pagefind.close();
}
