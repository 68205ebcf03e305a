// Resolves a netlify.toml with Netlify's own parser (@netlify/config), offline
// and without a token, and prints what Netlify would use as JSON.
//
//   node netlify-config.mjs REPO_ROOT [PATH ...]
//
// For each PATH (a URL path such as /assets/style.3f2a9c1d.css) it also lists
// the `for` of every header rule that matches it, using the regular
// expressions of @netlify/headers-parser, the parser Netlify deploys with.
import path from 'node:path'
import { resolveConfig } from '@netlify/config'
import { parseAllHeaders } from '@netlify/headers-parser'

const [root, ...paths] = process.argv.slice(2)
const configPath = path.join(root, 'netlify.toml')
const { config, env, logs } = await resolveConfig({
  config: configPath,
  repositoryRoot: root,
  cwd: root,
  offline: true,
  buffer: true,
  context: 'production',
  branch: 'main',
  env: {},
})
const { headers, errors } = await parseAllHeaders({
  headersFiles: [],
  netlifyConfigPath: configPath,
  minimal: false,
})
const fromFile = Object.fromEntries(
  Object.entries(env).filter(([, value]) => value.sources.includes('configFile'))
    .map(([name, value]) => [name, value.value]))
console.log(JSON.stringify({
  build: {
    command: config.build.command,
    publish: path.relative(root, config.build.publish),
    environment: fromFile,
  },
  plugins: config.plugins.map(({ package: name, inputs }) => ({ package: name, inputs })),
  headers: config.headers,
  redirects: config.redirects,
  headerErrors: errors.map((error) => error.message),
  logs: [...logs.stdout, ...logs.stderr],
  matches: Object.fromEntries(paths.map((urlPath) => [
    urlPath, headers.filter((rule) => rule.forRegExp.test(urlPath)).map((rule) => rule.for)])),
}))
