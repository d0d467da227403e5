#!/usr/bin/env node
// Runs the e2e journeys (node:test + playwright-core + Debian's Chromium).
//   KB_E2E_URL=http://127.0.0.1:8000 npm run e2e    against a running `kb serve` (the real API + built frontend)
//   npm run e2e:mock                                against e2e/mock-server.mjs (needs `npm run build-only` first)

import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { CHROMIUM_PATH } from './helpers.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const useMock = process.argv.includes('--mock')

if (!existsSync(CHROMIUM_PATH)) {
  console.error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium fonts-noto-cjk (or set KB_CHROMIUM)`)
  process.exit(2)
}

let server = null
const env = { ...process.env }
if (useMock) {
  if (!existsSync(join(here, '..', 'dist', 'index.html'))) {
    console.error('dist/ is missing: run `npm run build-only` first.')
    process.exit(2)
  }
  const { startMockServer } = await import('./mock-server.mjs')
  server = await startMockServer(0)
  env.KB_E2E_URL = `http://127.0.0.1:${server.address().port}`
  env.KB_E2E_MOCK = '1'
} else if (!env.KB_E2E_URL) {
  console.error('KB_E2E_URL is not set. Start the API (kb serve) and run: KB_E2E_URL=http://127.0.0.1:8000 npm run e2e')
  console.error('To run against the bundled mock API instead: npm run e2e:mock')
  process.exit(2)
}

console.log(`e2e against ${env.KB_E2E_URL}${useMock ? ' (mock API)' : ''}`)
const files = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const child = spawn(
  process.execPath,
  ['--test', '--test-concurrency=1', '--test-reporter=spec', ...(files.length ? files : [join(here, 'journeys.test.mjs'), join(here, 'accounts.test.mjs'), join(here, 'workflow.test.mjs'), join(here, 'admin.test.mjs'), join(here, 'analysis.test.mjs'), join(here, 'laws.test.mjs')])],
  { stdio: 'inherit', env },
)
child.on('exit', (code, signal) => {
  server?.close()
  process.exit(code ?? (signal ? 1 : 0))
})
