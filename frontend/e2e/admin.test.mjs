// End-to-end journey for the administrator's 系统设置 page and other users' API tokens (issue 6), in Debian's
// Chromium against the real `kb serve` started with `kb init --demo` (anonymous 检察官 on by the environment).
// Skipped against the mock API, which has no accounts. Runs after the other journeys; whatever happens, the
// anonymous setting is put back to the environment's value at the end, because the other journeys read anonymously.

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'

import {
  api,
  apiSession,
  baseUrl,
  demoAccounts,
  hasHorizontalOverflow,
  isMock,
  launchBrowser,
  newPage,
  screenshot,
  signIn,
  signOut,
  unlabelledControls,
} from './helpers.mjs'

const BASE = baseUrl()
const skip = isMock() ? 'the mock API has no accounts' : false
const run = randomBytes(3).toString('hex')

let browser
let accounts
let query = ''

function assertNoPageErrors(problems) {
  assert.deepEqual(problems, [], `page errors: ${problems.join('\n')}`)
}

/** Status of a search made without any cookie or token (what a signed-out browser gets). */
async function anonymousSearchStatus() {
  const res = await fetch(`${BASE}/api/search?q=${encodeURIComponent(query)}`)
  return res.status
}

async function bearerMe(token) {
  return fetch(`${BASE}/api/auth/me`, { headers: { Authorization: `Bearer ${token}` } })
}

/** The 匿名访问 radio with the given label, on the settings page. */
function anonymousChoice(page, label) {
  return page.locator('.setting[data-key="anonymous_role"]').getByLabel(label)
}

function settingsSaved(page) {
  return page.waitForResponse((r) => new URL(r.url()).pathname === '/api/settings' && r.request().method() === 'PUT')
}

async function saveSettings(page) {
  const [response] = await Promise.all([settingsSaved(page), page.locator('[data-testid="settings-save"]').click()])
  assert.equal(response.status(), 200)
  await page.locator('[data-testid="settings-message"]').filter({ hasText: '立即生效' }).waitFor()
}

before(async () => {
  if (skip) return
  accounts = demoAccounts()
  for (const name of ['demo-admin', 'demo-editor']) assert.ok(accounts[name], `${name} missing from KB_E2E_ACCOUNTS`)
  for (const q of ['不起诉', '盗窃', '公益诉讼']) {
    const r = await api(`/api/search?q=${encodeURIComponent(q)}&page_size=5`)
    if (r.total > 0) {
      query = q
      break
    }
  }
  assert.ok(query, 'no query with hits for anonymous readers')
  browser = await launchBrowser()
})

after(async () => {
  if (skip) return
  await browser?.close()
  // A failed step may have left anonymous reading off: back to the environment's value for whatever runs next.
  const me = await api('/api/auth/me').catch(() => null)
  if (!me?.anonymous_access) {
    const admin = accounts['demo-admin']
    const call = await apiSession(admin.username, admin.password)
    await call('PUT', '/api/settings', { values: { anonymous_role: null } })
  }
})

describe('系统设置与他人令牌', { skip }, () => {
  it('the administrator switches anonymous access and it applies at once, then restores the default', async () => {
    const { page, problems } = await newPage(browser.context)
    const admin = accounts['demo-admin']
    await signIn(page, admin.username, admin.password)
    // The nav item leads to the page.
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '系统设置' }).click()
    await page.waitForURL((u) => u.pathname === '/admin/settings')
    const form = page.locator('[data-testid="settings-form"]')
    await form.waitFor()
    for (const label of ['匿名访问', '上传文件大小上限（MB）', '会话空闲超时（分钟）', '登录失败锁定阈值（次）']) {
      assert.ok((await form.innerText()).includes(label), `settings page shows ${label}`)
    }
    assert.match(await page.locator('.setting[data-key="anonymous_role"]').innerText(), /默认值：开启（只读）（环境变量）/)
    assert.equal(await page.locator('#set-max_upload_mb').getAttribute('max'), '500')
    assert.deepEqual(await unlabelledControls(page), [])
    assert.equal(await anonymousSearchStatus(), 200, 'the e2e server starts with anonymous reading on')

    // Off: a signed-out client is refused at once.
    await anonymousChoice(page, '关闭（须登录）').check()
    assert.match(await page.locator('.setting[data-key="anonymous_role"]').innerText(), /未保存/)
    await saveSettings(page)
    assert.equal(await anonymousSearchStatus(), 401)
    assert.match(await page.locator('.setting[data-key="anonymous_role"]').innerText(), /由 demo-admin 于 .+ 修改/)

    // On again (keyboard: the radio group answers the arrow keys, Enter in a field saves the form).
    await anonymousChoice(page, '关闭（须登录）').focus()
    await page.keyboard.press('ArrowDown')
    assert.equal(await anonymousChoice(page, '开启（只读）').isChecked(), true)
    await page.locator('#set-max_upload_mb').focus()
    await Promise.all([settingsSaved(page), page.keyboard.press('Enter')])
    await page.locator('[data-testid="settings-message"]').filter({ hasText: '已保存 1 项设置' }).waitFor()
    assert.equal(await anonymousSearchStatus(), 200)
    await page.evaluate(() => window.scrollTo(0, 0))
    await screenshot(page, '50-admin-settings', { fullPage: true })

    // A bad value is refused before sending; leaving with unsaved changes asks first.
    await page.locator('#set-max_upload_mb').fill('0')
    await page.locator('[data-testid="settings-save"]').click()
    assert.match(await page.locator('[data-testid="settings-error"]').innerText(), /须在 1 到 500 之间/)
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'set-max_upload_mb')
    page.once('dialog', (d) => {
      assert.match(d.message(), /尚未保存/)
      void d.dismiss()
    })
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '用户管理' }).click()
    await page.waitForTimeout(200)
    assert.equal(new URL(page.url()).pathname, '/admin/settings')
    await page.getByRole('button', { name: '放弃修改' }).click()
    assert.equal(await page.locator('#set-max_upload_mb').inputValue(), '5')
    assert.equal(await hasHorizontalOverflow(page), false)
    await signOut(page)

    // A signed-out page searches right away.
    await page.goto(`${BASE}/?q=${encodeURIComponent(query)}`)
    await page.locator('section.results[data-loading="false"] .hit').first().waitFor()
    await page.locator('[data-testid="sign-in-link"]').waitFor()

    // The administrator turns it off again: a signed-out page now asks for a sign-in.
    await signIn(page, admin.username, admin.password, '/admin/settings')
    await page.waitForURL((u) => u.pathname === '/admin/settings')
    await anonymousChoice(page, '关闭（须登录）').check()
    await saveSettings(page)
    assert.equal(await anonymousSearchStatus(), 401)

    // 恢复默认 sends null: back to the environment's value (on), as the other journeys expect.
    const anonRow = page.locator('.setting[data-key="anonymous_role"]')
    const [restored] = await Promise.all([settingsSaved(page), anonRow.getByRole('button', { name: '恢复默认：匿名访问' }).click()])
    assert.deepEqual(JSON.parse(restored.request().postData() ?? '{}'), { values: { anonymous_role: null } })
    await page.locator('[data-testid="settings-message"]').filter({ hasText: '已恢复为环境变量的值' }).waitFor()
    assert.equal(await anonymousChoice(page, '开启（只读）').isChecked(), true)
    assert.equal(await anonRow.getByRole('button', { name: /恢复默认/ }).count(), 0)
    assert.equal(await anonymousSearchStatus(), 200)
    assert.equal((await api('/api/auth/me')).anonymous_access, true)
    assertNoPageErrors(problems)
    await page.close()
  })

  it('the administrator creates an API token for demo-editor, sees it once and revokes it', async () => {
    const { page, problems } = await newPage(browser.context)
    const editor = accounts['demo-editor']
    await page.goto(`${BASE}/admin/users`)
    const row = page.locator(`tr[data-username="${editor.username}"]`)
    await row.waitFor()
    await row.getByRole('button', { name: `API 令牌：${editor.username}` }).click()
    const dialog = page.locator('[data-testid="user-tokens"]')
    await dialog.waitFor()
    assert.match(await dialog.locator('h2').first().innerText(), /的 API 令牌$/)
    // Focus starts in the token name field.
    assert.match(await page.evaluate(() => document.activeElement?.id ?? ''), /^ut-\d+-name$/)

    const name = `e2e 管理员代建 ${run}`
    await page.keyboard.type(name)
    await dialog.getByLabel('有效天数').fill('7')
    await dialog.getByRole('button', { name: '创建令牌' }).click()
    const value = dialog.locator('[data-testid="token-value"]')
    await value.waitFor()
    const token = await value.inputValue()
    assert.match(token, /^kb_/)
    assert.match(await dialog.locator('[data-testid="token-created"]').innerText(), /只显示这一次/)
    const tokenRow = dialog.locator('[data-testid="token-table"] tbody tr', { hasText: name })
    await tokenRow.waitFor()
    await screenshot(page, '51-admin-user-tokens')

    // The token acts as demo-editor.
    const me = await (await bearerMe(token)).json()
    assert.equal(me.user.username, editor.username)
    assert.ok(me.permissions.includes('entries:edit'))

    // Dismissed, the full token is not shown again, not even after reopening the dialog.
    await dialog.getByRole('button', { name: '我已保存' }).click()
    assert.equal(await dialog.locator('[data-testid="token-value"]').count(), 0)
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    await row.getByRole('button', { name: `API 令牌：${editor.username}` }).click()
    await tokenRow.waitFor()
    assert.ok(!(await dialog.innerText()).includes(token))

    // Revoke after confirming: the token stops working at once.
    page.once('dialog', (d) => {
      assert.match(d.message(), new RegExp(`撤销 ${editor.username} 的令牌`))
      void d.accept()
    })
    await tokenRow.getByRole('button', { name: `撤销 ${name}` }).click()
    await tokenRow.filter({ hasText: '已撤销' }).waitFor()
    assert.equal((await bearerMe(token)).status, 401)
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    await signOut(page)
    assertNoPageErrors(problems)
    await page.close()
  })
})
