#!/usr/bin/env node
// Measures what the browser downloads on a first visit to `/` (类案检索): index.html, the entry chunk and its
// static imports, and the lazily loaded home route (SearchView) with its imports — JS and CSS, raw and gzip.
// Fails when first-load JS exceeds the budget. Reads dist/.vite/manifest.json written by `vite build`.

import { readFileSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')
const manifestPath = join(dist, '.vite', 'manifest.json')
const BUDGET_JS_GZIP = 250 * 1024
const HOME_ROUTE = 'src/views/SearchView.vue'

if (!existsSync(manifestPath)) {
  console.error('dist/.vite/manifest.json not found: run `npm run build` first.')
  process.exit(2)
}

const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry)
if (!entryKey || !manifest[HOME_ROUTE]) {
  console.error(`manifest has no entry or no ${HOME_ROUTE}`)
  process.exit(2)
}

const files = new Set()
const seen = new Set()
function collect(key) {
  if (seen.has(key)) return
  seen.add(key)
  const chunk = manifest[key]
  files.add(chunk.file)
  for (const css of chunk.css ?? []) files.add(css)
  for (const imp of chunk.imports ?? []) collect(imp)
}
collect(entryKey)
collect(HOME_ROUTE)

const rows = [{ file: 'index.html', ...measure('index.html') }]
for (const file of [...files].sort()) rows.push({ file, ...measure(file) })

function measure(file) {
  const buf = readFileSync(join(dist, file))
  return { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length }
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`
const width = Math.max(...rows.map((r) => r.file.length))
console.log(`First load of / (entry + ${HOME_ROUTE}):\n`)
console.log(`${'file'.padEnd(width)}  ${'raw'.padStart(10)}  ${'gzip'.padStart(10)}`)
for (const r of rows) console.log(`${r.file.padEnd(width)}  ${kb(r.raw).padStart(10)}  ${kb(r.gzip).padStart(10)}`)

const sum = (pred) => rows.filter(pred).reduce((acc, r) => ({ raw: acc.raw + r.raw, gzip: acc.gzip + r.gzip }), { raw: 0, gzip: 0 })
const js = sum((r) => r.file.endsWith('.js'))
const css = sum((r) => r.file.endsWith('.css'))
const all = sum(() => true)
console.log('')
console.log(`JS   ${kb(js.raw).padStart(10)} raw  ${kb(js.gzip).padStart(10)} gzip   (budget ${kb(BUDGET_JS_GZIP)} gzip)`)
console.log(`CSS  ${kb(css.raw).padStart(10)} raw  ${kb(css.gzip).padStart(10)} gzip`)
console.log(`all  ${kb(all.raw).padStart(10)} raw  ${kb(all.gzip).padStart(10)} gzip`)

if (js.gzip > BUDGET_JS_GZIP) {
  console.error(`\nFirst-load JS is ${kb(js.gzip)} gzip, over the ${kb(BUDGET_JS_GZIP)} budget.`)
  process.exit(1)
}
