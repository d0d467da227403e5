// End-to-end journeys for accounts, roles, the audit log, training collections (专题), export and warning cases
// (issue 6), in Debian's Chromium against the real `kb serve` started with `kb init --demo`. The demo accounts come
// from KB_E2E_ACCOUNTS ($KB_HOME/demo-accounts.txt). Skipped against the mock API, which has no accounts.
// One browser context: the journeys sign in and out in turn, in order.

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'

import {
  api,
  baseUrl,
  demoAccounts,
  hasHorizontalOverflow,
  isMock,
  launchBrowser,
  newPage,
  screenshot,
  signIn,
  signOut,
} from './helpers.mjs'

const BASE = baseUrl()
const skip = isMock() ? 'the mock API has no accounts' : false

let browser
let accounts
const run = randomBytes(3).toString('hex')
/** Shared between the journeys, in order. */
const fx = {
  trainer: { username: `e2e-trainer-${run}`, password: `Trainer-${run}-pass!`, display: `培训讲师${run}` },
  collectionTitle: `E2E 培训专题 ${run}`,
  collectionId: '',
  query: '',
}

function assertNoPageErrors(problems) {
  assert.deepEqual(problems, [], `page errors: ${problems.join('\n')}`)
}

async function entryOrder(page) {
  return page.locator('[data-testid="collection-items"] > li').evaluateAll((els) => els.map((el) => el.dataset.entryId))
}

before(async () => {
  if (skip) return
  accounts = demoAccounts()
  for (const name of ['demo-admin', 'demo-prosecutor', 'demo-editor']) {
    assert.ok(accounts[name], `${name} missing from KB_E2E_ACCOUNTS`)
  }
  // A query with several case hits, found as anonymous readers see them (./run serve and the tests allow them).
  for (const q of ['不起诉', '公益诉讼', '盗窃', '检察建议']) {
    const r = await api(`/api/search?q=${encodeURIComponent(q)}&page_size=10&kind=case`)
    if (r.total >= 4) {
      fx.query = q
      break
    }
  }
  assert.ok(fx.query, 'no query with four or more case hits')
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

describe('登录与用户管理', { skip }, () => {
  it('refuses bad sign-ins in Chinese, signs the administrator in and creates a trainer', async () => {
    const { page, problems } = await newPage(browser.context)
    await page.goto(`${BASE}/login`)
    await page.locator('[data-testid="login-form"]').waitFor()
    // Focus starts in the username field; an empty form explains what is missing.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-username')
    await page.keyboard.press('Enter')
    assert.equal(await page.locator('[data-testid="login-error"]').innerText(), '请输入用户名')
    await screenshot(page, '50-login')

    await page.locator('#login-username').fill('demo-admin')
    await page.locator('#login-password').fill('not-the-password')
    await page.keyboard.press('Enter')
    await page.waitForFunction(() => /[\u4e00-\u9fff]/.test(document.querySelector('[data-testid="login-error"]')?.textContent ?? ''))
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-password', 'focus returns to the password')
    assert.equal(new URL(page.url()).pathname, '/login')
    await screenshot(page, '51-login-error')

    // The administrator has no 检察官 role: signing in lands on 用户管理, the first page they may open.
    const admin = accounts['demo-admin']
    await page.locator('#login-password').fill(admin.password)
    await page.keyboard.press('Enter')
    await page.waitForURL((u) => u.pathname === '/admin/users')
    await page.locator('[data-testid="users-table"]').waitFor()
    const nav = await page.getByRole('navigation', { name: '主导航' }).innerText()
    for (const label of ['用户管理', '审计日志', '检索分析']) assert.ok(nav.includes(label), `nav has ${label}`)
    for (const label of ['类案检索', '专题', '导入']) assert.ok(!nav.includes(label), `nav hides ${label}`)
    await screenshot(page, '52-users')

    // Create the trainer (检察官).
    await page.getByRole('button', { name: '新建用户' }).click()
    const form = page.locator('[data-testid="user-create"]')
    await form.locator('#nu-username').fill(fx.trainer.username)
    await form.locator('#nu-display').fill(fx.trainer.display)
    await form.locator('#nu-password').fill(fx.trainer.password)
    await screenshot(page, '53-user-create')
    await form.getByRole('button', { name: '创建' }).click()
    const row = page.locator(`tr[data-username="${fx.trainer.username}"]`)
    await row.waitFor()
    assert.match(await page.locator('[data-testid="users-message"]').innerText(), new RegExp(fx.trainer.username))
    assert.match(await row.innerText(), /检察官/)
    assert.match(await row.innerText(), /正常/)

    // Change roles: add 编辑, then take it away again.
    await row.getByRole('button', { name: `修改角色：${fx.trainer.username}` }).click()
    await row.getByLabel('编辑').check()
    await row.getByRole('button', { name: '保存角色' }).click()
    await page.waitForFunction((u) => document.querySelector(`tr[data-username="${u}"]`)?.textContent?.includes('编辑'), fx.trainer.username)
    await row.getByRole('button', { name: `修改角色：${fx.trainer.username}` }).click()
    await row.getByLabel('编辑').uncheck()
    await row.getByRole('button', { name: '保存角色' }).click()
    await page.waitForFunction(
      (u) => !document.querySelector(`tr[data-username="${u}"] td:nth-child(2)`)?.textContent?.includes('编辑'),
      fx.trainer.username,
    )
    await screenshot(page, '54-user-created')

    // The user menu: name, roles, own password and tokens, sign out.
    await page.locator('[data-testid="user-menu"]').click()
    const menu = page.locator('#user-menu-panel')
    await menu.waitFor()
    assert.match(await menu.innerText(), /管理员/)
    await screenshot(page, '55-user-menu')
    await page.keyboard.press('Escape')
    assert.equal(await menu.count(), 0)

    // A page the administrator's roles do not allow shows 无权限 (not a blank page).
    await page.goto(`${BASE}/collections`)
    await page.locator('[data-testid="forbidden"]').waitFor()
    assert.match(await page.locator('[data-testid="forbidden"]').innerText(), /无权限/)
    await screenshot(page, '56-forbidden')
    assert.equal(await hasHorizontalOverflow(page), false)

    await signOut(page)
    assertNoPageErrors(problems)
    await page.close()
  })

  it('creates, shows once and revokes an own API token', async () => {
    const { page, problems } = await newPage(browser.context)
    const p = accounts['demo-prosecutor']
    await signIn(page, p.username, p.password, '/account')
    await page.waitForURL((u) => u.pathname === '/account')
    await page.locator('#tok-name').fill(`e2e 脚本 ${run}`)
    await page.getByRole('button', { name: '创建令牌' }).click()
    const value = page.locator('[data-testid="token-value"]')
    await value.waitFor()
    const token = await value.inputValue()
    assert.match(token, /^kb_/)
    await page.locator('[data-testid="token-table"]').waitFor()
    await screenshot(page, '57-account-tokens')
    // The token works for scripts (Bearer, no cookie), then stops working once revoked.
    const me = await fetch(`${BASE}/api/auth/me`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.json())
    assert.equal(me.user.username, p.username)
    page.once('dialog', (d) => void d.accept())
    const row = page.locator('[data-testid="token-table"] tr', { hasText: `e2e 脚本 ${run}` })
    await row.getByRole('button', { name: /撤销/ }).click()
    await row.filter({ hasText: '已撤销' }).waitFor()
    const after = await fetch(`${BASE}/api/auth/me`, { headers: { Authorization: `Bearer ${token}` } })
    assert.equal(after.status, 401)
    await signOut(page)
    assertNoPageErrors(problems)
    await page.close()
  })
})

describe('培训专题', { skip }, () => {
  it('a trainer builds a collection of three cases, adds notes, reorders and exports a PDF', async () => {
    const { page, problems } = await newPage(browser.context)
    // Going to 专题 while anonymous asks for a sign-in first, then comes back.
    await page.goto(`${BASE}/collections`)
    await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('redirect') === '/collections')
    await page.locator('#login-username').fill(fx.trainer.username)
    await page.locator('#login-password').fill(fx.trainer.password)
    await page.keyboard.press('Enter')
    await page.waitForURL((u) => u.pathname === '/collections')
    await page.locator('[data-testid="collections-mine"]').waitFor()
    await screenshot(page, '60-collections-empty')

    // New collection, shared with everyone.
    await page.getByRole('button', { name: '新建专题' }).click()
    await page.locator('#nc-title').fill(fx.collectionTitle)
    await page.locator('#nc-desc').fill('用于端到端测试的培训专题：三个案例，含教学要点和讨论题。')
    await page.getByLabel('共享给所有用户').check()
    await page.getByRole('button', { name: '保存' }).click()
    await page.waitForURL((u) => /^\/collections\/[^/]+$/.test(u.pathname))
    fx.collectionId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop())
    await page.locator('[data-testid="empty-state"]').waitFor()

    // Two cases from the search results ("加入专题" on a hit, then pick the collection).
    await page.goto(`${BASE}/?q=${encodeURIComponent(fx.query)}&kind=case`)
    await page.locator('section.results[data-loading="false"] .hit').first().waitFor()
    const hits = page.locator('.hit')
    const added = []
    for (const i of [0, 1]) {
      const hit = hits.nth(i)
      added.push(await hit.getAttribute('data-hit-id'))
      await hit.locator('[data-testid="hit-add-to-collection"]').click()
      const picker = page.locator('[data-testid="collection-picker"]')
      await picker.waitFor()
      if (i === 0) await screenshot(page, '61-collection-picker')
      await picker.getByRole('button', { name: new RegExp(fx.collectionTitle) }).click()
      await picker.locator('[data-testid="picker-added"]').waitFor()
      await picker.getByRole('button', { name: '关闭' }).last().click()
      await picker.waitFor({ state: 'detached' })
    }
    // A third from an entry page.
    const third = await hits.nth(2).getAttribute('data-hit-id')
    added.push(third)
    await page.goto(`${BASE}/entries/${encodeURIComponent(third)}`)
    await page.locator('h1.entry-title').waitFor()
    await page.locator('[data-testid="add-to-collection"]').click()
    const picker = page.locator('[data-testid="collection-picker"]')
    await picker.getByRole('button', { name: new RegExp(fx.collectionTitle) }).click()
    await picker.locator('[data-testid="picker-added"]').waitFor()
    // Adding the same case twice is refused with a Chinese reason.
    await page.keyboard.press('Escape')
    await picker.waitFor({ state: 'detached' })
    await page.locator('[data-testid="add-to-collection"]').click()
    await picker.getByRole('button', { name: new RegExp(fx.collectionTitle) }).click()
    await picker.locator('[data-testid="picker-error"]').waitFor()
    assert.match(await picker.locator('[data-testid="picker-error"]').innerText(), /已在专题/)
    await page.keyboard.press('Escape')

    // The collection has the three cases in the order they were added.
    await page.goto(`${BASE}/collections/${encodeURIComponent(fx.collectionId)}`)
    await page.locator('[data-testid="collection-items"]').waitFor()
    assert.deepEqual(await entryOrder(page), added)

    // Teaching notes and discussion questions on the first case.
    const first = page.locator('[data-testid="collection-items"] > li').first()
    await first.locator('textarea[id^="notes-"]').fill('教学要点：注意审查证据的合法性。')
    await first.locator('textarea[id^="questions-"]').fill('本案的争议焦点是什么？\n检察机关如何履职？')
    await first.locator('[data-testid="save-item"]').click()
    await first.getByText('已保存').waitFor()
    await screenshot(page, '62-collection-items', { fullPage: true })

    // Reorder with the buttons: the first case moves down one place.
    await first.locator('[data-testid="move-down"]').click()
    await page.waitForFunction(
      (id) => document.querySelectorAll('[data-testid="collection-items"] > li')[1]?.getAttribute('data-entry-id') === id,
      added[0],
    )
    // ... and with the keyboard: ↑ on the last case's handle moves it up.
    const last = page.locator('[data-testid="collection-items"] > li').last()
    await last.locator('.handle').focus()
    await page.keyboard.press('ArrowUp')
    const expected = [added[1], added[2], added[0]]
    await page.waitForFunction(
      (want) =>
        [...document.querySelectorAll('[data-testid="collection-items"] > li')].map((li) => li.getAttribute('data-entry-id')).join() ===
        want.join(),
      expected,
    )
    assert.match(await page.locator('[data-testid="order-status"]').innerText(), /已移到第 2 位/)
    // The order is kept by the server.
    await page.waitForLoadState('networkidle')
    await page.reload()
    await page.locator('[data-testid="collection-items"]').waitFor()
    assert.deepEqual(await entryOrder(page), expected)
    const notes = await page.locator(`[data-entry-id="${added[0]}"] textarea[id^="notes-"]`).inputValue()
    assert.equal(notes, '教学要点：注意审查证据的合法性。')
    await screenshot(page, '63-collection-reordered')

    // Export as PDF: a real download whose bytes start with %PDF.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-pdf"]').click()])
    const path = await download.path()
    const bytes = readFileSync(path)
    assert.equal(bytes.subarray(0, 4).toString('latin1'), '%PDF', `download ${download.suggestedFilename()}`)
    assert.match(download.suggestedFilename(), /\.pdf$/)
    // DOCX too (a zip file).
    const docx = await page.request.get(`${BASE}${await page.locator('[data-testid="export-docx"]').getAttribute('href')}`)
    assert.equal(docx.status(), 200)
    assert.equal((await docx.body()).subarray(0, 2).toString('latin1'), 'PK')

    // Print view: navigation and controls hidden, notes and questions printed as text.
    await page.emulateMedia({ media: 'print' })
    assert.equal(await page.locator('header.app-header').isVisible(), false)
    assert.equal(await page.locator('[data-testid="export-pdf"]').isVisible(), false)
    assert.ok(await page.locator('.notes-read', { hasText: '本案的争议焦点是什么？' }).isVisible())
    await screenshot(page, '64-collection-print', { fullPage: true })
    await page.emulateMedia({ media: 'screen' })
    assertNoPageErrors(problems)
    await page.close()
  })

  it('exports an entry as PDF and DOCX, respecting the version being viewed', async () => {
    const { page, problems } = await newPage(browser.context)
    const list = await api('/api/entries?kind=case&page_size=50')
    const id = list.items[0].id
    await page.goto(`${BASE}/entries/${encodeURIComponent(id)}`)
    await page.locator('h1.entry-title').waitFor()
    const pdfHref = await page.locator('[data-testid="export-pdf"]').getAttribute('href')
    assert.match(pdfHref, /format=pdf/)
    assert.doesNotMatch(pdfHref, /version=/)
    const pdf = await page.request.get(`${BASE}${pdfHref}`)
    assert.equal((await pdf.body()).subarray(0, 4).toString('latin1'), '%PDF')
    assert.match(await page.locator('[data-testid="export-docx"]').getAttribute('href'), /format=docx/)
    // An old version exports that version.
    const detail = await api(`/api/entries/${encodeURIComponent(id)}`)
    const target = detail.versions.length > 1 ? detail : null
    if (target) {
      const oldest = Math.min(...target.versions.map((v) => v.version))
      await page.goto(`${BASE}/entries/${encodeURIComponent(id)}?version=${oldest}`)
      await page.locator('[data-testid="old-version"]').waitFor()
      assert.match(await page.locator('[data-testid="export-pdf"]').getAttribute('href'), new RegExp(`version=${oldest}`))
    }
    await screenshot(page, '65-entry-export')
    assertNoPageErrors(problems)
    await page.close()
  })

  it('filters warning cases by 错误类型 and misused power', async () => {
    const { page, problems } = await newPage(browser.context)
    await page.goto(`${BASE}/warning-cases`)
    await page.locator('[data-testid="warning-total"]').waitFor()
    const all = await page.locator('li.w-card').count()
    assert.ok(all > 0, 'the demo corpus has warning cases')
    await screenshot(page, '70-warning-cases')
    const option = page.locator('fieldset[data-field="error_type"] label.option').first()
    const value = await option.locator('.value').innerText()
    const count = Number(await option.locator('.count').innerText())
    await option.locator('input').check()
    await page.waitForURL((u) => u.searchParams.getAll('error_type').includes(value))
    await page.waitForFunction((n) => document.querySelectorAll('li.w-card').length === n, count)
    for (const text of await page.locator('li.w-card').allInnerTexts()) assert.ok(text.includes(value))
    await screenshot(page, '71-warning-filtered')
    const power = page.locator('fieldset[data-field="misused_power"] label.option').first()
    if ((await power.count()) > 0) {
      await power.locator('input').check()
      await page.waitForURL((u) => u.searchParams.has('misused_power'))
      await page.locator('section.results[data-loading="false"]').waitFor()
    }
    await page.getByRole('button', { name: '清除筛选' }).click()
    await page.waitForURL((u) => !u.searchParams.has('error_type'))
    await page.waitForFunction((n) => document.querySelectorAll('li.w-card').length === n, all)
    await signOut(page)
    assertNoPageErrors(problems)
    await page.close()
  })
})

describe('审计日志与检索分析', { skip }, () => {
  it("the administrator finds the trainer's actions in the audit log, exports CSV and reads the analytics", async () => {
    const { page, problems } = await newPage(browser.context)
    const admin = accounts['demo-admin']
    await signIn(page, admin.username, admin.password, `/admin/audit?user=${encodeURIComponent(fx.trainer.username)}`)
    await page.waitForURL((u) => u.pathname === '/admin/audit')
    const table = page.locator('[data-testid="audit-table"]')
    await table.waitFor()
    const actions = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.action))
    for (const a of ['auth.login', 'search', 'entry.view']) assert.ok(actions.includes(a), `audit has ${a}: ${actions.join()}`)
    for (const a of ['collection.create', 'entry.export']) {
      if (!actions.some((x) => x.startsWith(a.split('.')[0]) && x !== 'entry.view')) console.log(`# audit log has no ${a} yet`)
    }
    assert.equal(await page.locator('#au-user').inputValue(), fx.trainer.username)
    await screenshot(page, '80-audit')

    // Filter by action (登录) and outcome through the form.
    await page.selectOption('#au-action', 'auth.login')
    await page.getByRole('button', { name: '筛选' }).click()
    await page.waitForURL((u) => u.searchParams.get('action') === 'auth.login')
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="audit-table"] tbody tr')].every((r) => r.dataset.action === 'auth.login'),
    )
    assert.ok((await table.locator('tbody tr').count()) >= 1)
    // The failed sign-in (with the account it tried) and the user creation are there too.
    await page.goto(`${BASE}/admin/audit?action=auth.login&outcome=failure`)
    await table.locator('tbody tr[data-action="auth.login"]', { hasText: 'demo-admin' }).first().waitFor()
    await page.goto(`${BASE}/admin/audit?action=user.`)
    await table.locator('tbody tr[data-action="user.create"]', { hasText: fx.trainer.username }).waitFor()
    await screenshot(page, '81-audit-filtered')

    // CSV export with the same filters.
    const href = await page.locator('[data-testid="audit-csv"]').getAttribute('href')
    assert.match(href, /^\/api\/audit\.csv\?action=user\./)
    const csv = await page.request.get(`${BASE}${href}`)
    assert.equal(csv.status(), 200)
    assert.ok((await csv.text()).includes(fx.trainer.username))

    // Search analytics: the trainer's query is among the frequent ones.
    await page.goto(`${BASE}/admin/analytics`)
    const frequent = page.locator('[data-testid="analytics-frequent"]')
    await frequent.locator('table, [data-testid="empty-state"]').first().waitFor()
    assert.ok((await frequent.innerText()).includes(fx.query), `frequent queries include ${fx.query}`)
    await page.locator('[data-testid="analytics-gaps"]').locator('table, [data-testid="empty-state"]').first().waitFor()
    assert.equal(await hasHorizontalOverflow(page), false)
    await screenshot(page, '82-analytics')
    await signOut(page)
    assertNoPageErrors(problems)
    await page.close()
  })
})

describe('匿名访问', { skip }, () => {
  it('searches without signing in and shows a 登录 link; personal pages ask for a sign-in', async () => {
    const { page, problems } = await newPage(browser.context)
    const me = await api('/api/auth/me')
    if (!me.anonymous_access) {
      await page.goto(`${BASE}/`)
      await page.waitForURL((u) => u.pathname === '/login')
      await page.close()
      return
    }
    await page.goto(`${BASE}/?q=${encodeURIComponent(fx.query)}`)
    await page.locator('section.results[data-loading="false"] .hit').first().waitFor()
    await page.locator('[data-testid="sign-in-link"]').waitFor()
    assert.equal(await page.locator('[data-testid="hit-add-to-collection"]').count(), 0, 'no 加入专题 when anonymous')
    const nav = await page.getByRole('navigation', { name: '主导航' }).innerText()
    assert.ok(nav.includes('类案检索') && !nav.includes('专题') && !nav.includes('用户管理'))
    await screenshot(page, '90-anonymous-search')
    await page.locator('[data-testid="sign-in-link"]').click()
    await page.waitForURL((u) => u.pathname === '/login' && (u.searchParams.get('redirect') ?? '').startsWith('/?q='))
    await page.goto(`${BASE}/admin/users`)
    await page.waitForURL((u) => u.pathname === '/login')
    assertNoPageErrors(problems)
    await page.close()
  })
})
