// Shared helpers for the e2e journeys: launch Debian's Chromium through playwright-core (no browser download).

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
export const SCREENSHOT_DIR = join(here, 'screenshots')

export const CHROMIUM_PATH = process.env.KB_CHROMIUM ?? '/usr/bin/chromium'

export function baseUrl() {
  const url = process.env.KB_E2E_URL
  if (!url) throw new Error('KB_E2E_URL is not set (e.g. KB_E2E_URL=http://127.0.0.1:8000)')
  return url.replace(/\/+$/, '')
}

export async function launchBrowser() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'kb-e2e-chromium-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 720 },
    locale: 'zh-CN',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  context.setDefaultTimeout(15_000)
  return {
    context,
    async close() {
      await context.close()
      rmSync(userDataDir, { recursive: true, force: true })
    },
  }
}

/** A fresh page with console errors and failed API responses collected for assertions. */
export async function newPage(context, { width = 1280, height = 720 } = {}) {
  const page = await context.newPage()
  await page.setViewportSize({ width, height })
  const problems = []
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) problems.push(`console: ${msg.text()}`)
  })
  return { page, problems }
}

export async function screenshot(page, name, options = {}) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), ...options })
}

export async function api(path) {
  const res = await fetch(`${baseUrl()}${path}`)
  if (!res.ok) throw new Error(`GET ${path} -> ${res.status} ${await res.text()}`)
  return res.json()
}

/** True when the page scrolls sideways (long titles must wrap, never overflow). */
export async function hasHorizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1)
}

/**
 * Demo accounts written by `kb init --demo` ($KB_HOME/demo-accounts.txt: username, role, password per line).
 * tests/browser/test_e2e.py passes the file as KB_E2E_ACCOUNTS.
 */
export function demoAccounts() {
  const path = process.env.KB_E2E_ACCOUNTS
  if (!path || !existsSync(path)) {
    throw new Error('KB_E2E_ACCOUNTS must name $KB_HOME/demo-accounts.txt written by `kb init --demo`')
  }
  const accounts = {}
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue
    const [username, role, password] = line.split('\t').map((s) => s.trim())
    if (username && password) accounts[username] = { username, role, password }
  }
  return accounts
}

export function isMock() {
  return process.env.KB_E2E_MOCK === '1'
}

/** Signs in through the sign-in page and waits until the app has left it. */
export async function signIn(page, username, password, redirect = '') {
  const q = redirect ? `?redirect=${encodeURIComponent(redirect)}` : ''
  await page.goto(`${baseUrl()}/login${q}`)
  await page.locator('#login-username').fill(username)
  await page.locator('#login-password').fill(password)
  await page.keyboard.press('Enter')
  await page.waitForURL((u) => u.pathname !== '/login')
  await page.locator('[data-testid="user-menu"]').waitFor()
}

/** Signs out with the user menu. */
export async function signOut(page) {
  await page.locator('[data-testid="user-menu"]').click()
  await page.locator('[data-testid="sign-out"]').click()
  await page.waitForURL((u) => u.pathname === '/login')
  await page.locator('[data-testid="login-form"]').waitFor()
}

/**
 * A signed-in API client for steps a journey does not drive through the page (e.g. a reviewer publishing what an
 * editor uploaded): logs in with POST /api/auth/login and sends the session cookie and the CSRF token.
 */
export async function apiSession(username, password) {
  const login = await fetch(`${baseUrl()}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (!login.ok) throw new Error(`login ${username} -> ${login.status} ${await login.text()}`)
  const me = await login.json()
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  return async function call(method, path, body) {
    const headers = { Cookie: cookie, Accept: 'application/json' }
    if (me.csrf_token) headers['X-CSRF-Token'] = me.csrf_token
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    const res = await fetch(`${baseUrl()}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`)
    return text ? JSON.parse(text) : null
  }
}

/** Inputs, selects, text areas and buttons without an accessible name (label, aria-label or text). */
export async function unlabelledControls(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea, button')]
      .filter((el) => {
        const labelled =
          el.getAttribute('aria-label') ||
          el.getAttribute('aria-labelledby') ||
          (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) ||
          el.closest('label') ||
          (el.tagName === 'BUTTON' && el.textContent.trim())
        return !labelled
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  )
}
