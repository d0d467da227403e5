// End-to-end journey of the review-and-publish workflow (审核发布, issue 6) in Debian's Chromium against the real
// `kb serve` (`kb init --demo`): an editor imports a small illustrative case and submits it, a reviewer rejects it
// with a comment, the editor sees the comment, fixes a section and resubmits, the reviewer approves and publishes
// it as a numbered batch (第N批) and sees the assigned 编号, a prosecutor finds it by a distinctive phrase, the
// reviewer retracts it with a reason, and the prosecutor no longer finds it and sees the reason on its page.
// The demo accounts come from KB_E2E_ACCOUNTS. Skipped against the mock API, which has no accounts or workflow.
// The steps run in order and share `fx`.

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
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
  unlabelledControls,
} from './helpers.mjs'

const BASE = baseUrl()
const skip = isMock() ? 'the mock API has no accounts and no workflow' : false

let browser
let accounts
const token = randomBytes(3).toString('hex').toUpperCase()
/** Shared between the steps, in order. */
const fx = {
  token,
  // A phrase no demo case contains, so the search finds exactly this case.
  phrase: `翡翠算盘${token}`,
  fileName: `e2e-workflow-${token}.txt`,
  entryId: '',
  title: '',
  rejection: `请补充退赃经过（${token}）`,
  addition: `案发后，吴某已全部退赃并取得被害人谅解（${token}）。`,
  batchLabel: '',
  number: '',
  reason: `示例撤回：与新发布的规定不一致（${token}）`,
}

function assertNoPageErrors(problems) {
  assert.deepEqual(problems, [], `page errors: ${problems.join('\n')}`)
}

async function as(name, path) {
  const { page, problems } = await newPage(browser.context)
  const account = accounts[name]
  await signIn(page, account.username, account.password, path)
  await page.waitForURL((u) => u.pathname === path.split('?')[0])
  return { page, problems }
}

async function done(page, problems) {
  await signOut(page)
  assertNoPageErrors(problems)
  await page.close()
}

/** The row of the journey's entry in the 审核发布 list. */
const row = (page) => page.locator(`tr[data-entry-id="${fx.entryId}"]`)

async function waitForList(page) {
  await page.locator('[data-testid="workflow-table"], [data-testid="empty-state"]').first().waitFor()
}

async function waitForHitsOrEmpty(page) {
  await page.locator('section.results[data-loading="false"]').waitFor()
  await page.locator('.hit, [data-testid="empty-state"]').first().waitFor()
}

before(async () => {
  if (skip) return
  accounts = demoAccounts()
  for (const name of ['demo-editor', 'demo-reviewer', 'demo-prosecutor']) assert.ok(accounts[name], `${name} missing from KB_E2E_ACCOUNTS`)
  // The phrase must be new: otherwise "found" and "no longer found" prove nothing.
  const r = await api(`/api/search?q=${encodeURIComponent(fx.phrase)}&page_size=5`)
  assert.ok(!r.hits.some((h) => h.title.includes(token)), 'the distinctive phrase is already indexed')
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

describe('审核发布', { skip }, () => {
  it('编辑导入示例案例：保存为草稿，提交审核', async () => {
    const { page, problems } = await as('demo-editor', '/upload')
    const nav = await page.getByRole('navigation', { name: '主导航' }).innerText()
    assert.ok(nav.includes('审核发布') && nav.includes('发布批次'), 'editors see the workflow pages')
    const body = [
      `吴某盗窃案（示例${token}）`,
      '【关键词】盗窃 不起诉 示例',
      '【要旨】盗窃数额较小、认罪认罚的，检察机关可以依法作出不起诉决定。本案为示例。',
      `【基本案情】吴某在农贸市场盗窃一只${fx.phrase}，价值人民币四百元。本案为导入测试编写的示例。`,
      '【检察机关履职过程】检察机关审查认为吴某犯罪情节轻微，依法作出不起诉决定。',
      '【典型意义】示例文本，仅用于测试审核发布流程。',
      '',
    ].join('\n')
    await page.locator('[data-testid="file-input"]').setInputFiles([
      { name: fx.fileName, mimeType: 'text/plain', buffer: Buffer.from(body, 'utf8') },
    ])
    const file = page.locator('li.file', { hasText: fx.fileName })
    await page.waitForFunction((name) => [...document.querySelectorAll('li.file')].find((li) => li.textContent.includes(name))?.getAttribute('data-status'), fx.fileName, { timeout: 60_000 })
    assert.equal(await file.getAttribute('data-status'), 'created')
    assert.equal(await file.locator('[data-testid="draft-note"]').innerText(), '已保存为草稿，提交审核后才会被检索到')
    const entry = file.locator('li[data-entry-id]').first()
    fx.entryId = (await entry.getAttribute('data-entry-id')) ?? ''
    fx.title = await entry.locator('a.entry-link').innerText()
    assert.ok(fx.entryId && fx.title.includes(token))
    assert.equal(await entry.locator('[data-testid="workflow-status"]').innerText(), '草稿')
    await screenshot(page, '40-workflow-01-upload-draft')

    // A draft is not searchable yet.
    const before = await api(`/api/search?q=${encodeURIComponent(fx.phrase)}&page_size=5`)
    assert.ok(!before.hits.some((h) => h.id === fx.entryId), 'a draft must not be in the search index')

    // 查看/编辑 opens the workflow page of the draft.
    await entry.locator('[data-testid="workflow-link"]').click()
    await page.waitForURL((u) => u.pathname === `/workflow/${fx.entryId}`)
    assert.equal(await page.locator('[data-testid="status-badge"]').innerText(), '草稿')
    assert.match(await page.locator('[data-testid="history"]').innerText(), /导入/)
    await screenshot(page, '40-workflow-02-draft-page')

    // The draft in the 草稿 tab, found by its title; submit it from the list.
    await page.goto(`${BASE}/workflow?status=draft`)
    await waitForList(page)
    await page.locator('#wf-q').fill(token)
    await page.keyboard.press('Enter')
    await page.waitForURL((u) => u.searchParams.get('q') === token)
    await row(page).waitFor()
    await screenshot(page, '40-workflow-03-drafts')
    await row(page).getByRole('button', { name: `提交审核：${fx.title}` }).click()
    await page.locator('[data-testid="workflow-message"]').waitFor()
    assert.match(await page.locator('[data-testid="workflow-message"]').innerText(), /已提交审核/)
    await page.locator(`tr[data-entry-id="${fx.entryId}"]`).waitFor({ state: 'detached' })
    await done(page, problems)
  })

  it('审核人退回修改（必须填写意见）', async () => {
    const { page, problems } = await as('demo-reviewer', '/workflow')
    await waitForList(page)
    // Reviewers start on 待审核, with the counts on the tabs.
    assert.equal(await page.locator('.tab.active').getAttribute('data-status'), 'submitted')
    assert.match(await page.locator('.tab.active').innerText(), /待审核\s*\d+/)
    await row(page).waitFor()
    assert.equal(await hasHorizontalOverflow(page), false, 'the reviewer’s header and list fit at 1280 px')
    await screenshot(page, '40-workflow-04-submitted')

    const rejectButton = row(page).getByRole('button', { name: `退回修改：${fx.title}` })
    await rejectButton.click()
    const dialog = page.locator('[data-testid="reject-dialog"]')
    await dialog.waitFor()
    // Focus is in the comment field; Escape closes the dialog and focus returns to the button.
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'TEXTAREA')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-action')), 'reject')
    // An empty comment is refused in the dialog.
    await rejectButton.click()
    await dialog.waitFor()
    await dialog.locator('[data-testid="prompt-confirm"]').click()
    assert.equal(await dialog.locator('[data-testid="prompt-error"]').innerText(), '请填写退回意见')
    // Tab stays inside the dialog.
    for (let i = 0; i < 5; i++) await page.keyboard.press('Tab')
    assert.ok(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="reject-dialog"]')), 'focus stays in the dialog')
    await dialog.locator('textarea').fill(fx.rejection)
    await screenshot(page, '40-workflow-05-reject-dialog')
    await page.keyboard.press('Control+Enter')
    await dialog.waitFor({ state: 'detached' })
    assert.match(await page.locator('[data-testid="workflow-message"]').innerText(), /已退回修改/)
    await page.locator(`tr[data-entry-id="${fx.entryId}"]`).waitFor({ state: 'detached' })
    await done(page, problems)
  })

  it('编辑看到退回意见，修改一节后重新提交', async () => {
    const { page, problems } = await as('demo-editor', `/workflow?status=draft&q=${token}`)
    await row(page).waitFor()
    // The rejection comment is visible in the list at a glance.
    assert.ok((await row(page).locator('[data-testid="last-comment"]').innerText()).includes(token))
    await screenshot(page, '40-workflow-06-rejected-in-list')

    await row(page).locator('a.wf-title').click()
    await page.waitForURL((u) => u.pathname === `/workflow/${fx.entryId}`)
    const callout = page.locator('[data-testid="open-rejection"]')
    await callout.waitFor()
    assert.ok((await callout.innerText()).includes(fx.rejection))
    assert.match(await callout.innerText(), /demo-reviewer/)

    await page.locator('[data-testid="edit-open"]').click()
    const facts = page.locator('textarea[data-section="facts"]')
    await facts.waitFor()
    assert.deepEqual(await unlabelledControls(page), [], 'every field of the edit form has a label')
    assert.equal(await hasHorizontalOverflow(page), false)
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'we-title')
    await facts.fill(`${await facts.inputValue()}${fx.addition}`)
    await screenshot(page, '40-workflow-07-edit')
    await page.locator('[data-testid="edit-save"]').click()
    const message = page.locator('[data-testid="workflow-message"]')
    await message.waitFor()
    assert.equal(await message.innerText(), '已保存为第2版')
    assert.ok((await page.locator('[data-section="facts"]').innerText()).includes(fx.addition))
    assert.match(await page.locator('[data-testid="history"]').innerText(), /修改/)

    await page.getByRole('button', { name: `提交审核：${fx.title}` }).click()
    await page.waitForFunction(() => document.querySelector('[data-testid="status-badge"]')?.textContent?.includes('待审核'))
    assert.equal(await callout.count(), 0, 'the rejection is addressed once the entry is submitted again')
    await screenshot(page, '40-workflow-08-resubmitted')
    await done(page, problems)
  })

  it('审核人审核通过并发布为新一批，看到分配的编号', async () => {
    const { page, problems } = await as('demo-reviewer', `/workflow?status=submitted&q=${token}`)
    await row(page).waitFor()
    await row(page).getByRole('button', { name: `审核通过：${fx.title}` }).click()
    await page.locator('[data-testid="workflow-message"]').waitFor()
    await page.locator(`tr[data-entry-id="${fx.entryId}"]`).waitFor({ state: 'detached' })

    await page.locator('.tab[data-status="approved"]').click()
    await page.waitForURL((u) => u.searchParams.get('status') === 'approved')
    await row(page).waitFor()
    await row(page).getByRole('checkbox', { name: `选择：${fx.title}` }).check()
    assert.deepEqual(await unlabelledControls(page), [], 'every control of the list has a name')
    await page.locator('[data-testid="publish-open"]').click()
    const dialog = page.locator('[data-testid="publish-dialog"]')
    await dialog.waitFor()
    assert.ok((await dialog.locator('#pb-issuer').inputValue()).trim(), 'the issuer has a default')
    assert.deepEqual(await unlabelledControls(page), [], 'every field of the dialog has a label')
    assert.match(await dialog.locator('#pb-date').inputValue(), /^\d{4}-\d{2}-\d{2}$/)
    await dialog.locator('#pb-title').fill(`示例批次${token}`)
    await screenshot(page, '40-workflow-09-publish-dialog')
    // Enter in a single-line field publishes.
    await page.keyboard.press('Enter')
    const published = page.locator('[data-testid="batch-published"]')
    await published.waitFor()
    const text = await published.innerText()
    const m = /已发布(第\d+批)，共1件/.exec(text)
    assert.ok(m, `publication message: ${text}`)
    fx.batchLabel = m[1]
    await screenshot(page, '40-workflow-10-published')

    // The batch page lists the batch with the 编号 assigned on publication.
    await published.getByRole('link', { name: '查看该批次' }).click()
    await page.waitForURL((u) => u.pathname === '/batches')
    const batchRow = page.locator(`[data-testid="batches"] tr[data-entry-id="${fx.entryId}"]`)
    await batchRow.waitFor()
    fx.number = (await batchRow.locator('[data-testid="batch-number"]').innerText()).trim()
    assert.ok(fx.number && fx.number !== '—', 'a number is assigned on publication')
    const batch = page.locator('li.batch', { has: page.locator(`tr[data-entry-id="${fx.entryId}"]`) })
    assert.ok((await batch.locator('.batch-head').innerText()).includes(fx.batchLabel))
    assert.deepEqual(await unlabelledControls(page), [])
    assert.equal(await hasHorizontalOverflow(page), false)
    await screenshot(page, '40-workflow-11-batches')
    await done(page, problems)
  })

  it('检察官检索到已发布的案例及其编号', async () => {
    const { page, problems } = await as('demo-prosecutor', '/')
    const nav = await page.getByRole('navigation', { name: '主导航' }).innerText()
    assert.ok(!nav.includes('审核发布'), 'prosecutors do not see the workflow pages')
    await page.goto(`${BASE}/?q=${encodeURIComponent(fx.phrase)}`)
    await waitForHitsOrEmpty(page)
    const hit = page.locator('.hit', { hasText: token }).first()
    await hit.waitFor()
    assert.ok((await hit.innerText()).includes(fx.number), `the hit shows the number ${fx.number}`)
    await screenshot(page, '40-workflow-12-found')
    await hit.locator('.title-link').click()
    await page.waitForURL((u) => u.pathname === `/entries/${fx.entryId}`)
    await page.locator('h1.entry-title').waitFor()
    assert.ok((await page.locator('.entry-head').innerText()).includes(fx.number))
    assert.ok((await page.locator('.sections').innerText()).includes(fx.addition), 'the published version is the edited one')
    assert.match(await page.locator('[data-testid="versions"]').innerText(), /已发布/)
    await screenshot(page, '40-workflow-13-entry')
    await done(page, problems)
  })

  it('审核人撤回后，检察官检索不到，条目页显示撤回原因', async () => {
    const { page, problems } = await as('demo-reviewer', `/workflow?status=published&q=${token}`)
    await row(page).waitFor()
    await row(page).getByRole('button', { name: `撤回：${fx.title}` }).click()
    const dialog = page.locator('[data-testid="retract-dialog"]')
    await dialog.waitFor()
    await dialog.locator('textarea').fill(fx.reason)
    await screenshot(page, '40-workflow-14-retract-dialog')
    await dialog.locator('[data-testid="prompt-confirm"]').click()
    await dialog.waitFor({ state: 'detached' })
    await page.locator(`tr[data-entry-id="${fx.entryId}"]`).waitFor({ state: 'detached' })
    await page.locator('.tab[data-status="retracted"]').click()
    await row(page).waitFor()
    assert.ok((await row(page).innerText()).includes(token))
    await screenshot(page, '40-workflow-15-retracted-list')
    await done(page, problems)

    const reader = await as('demo-prosecutor', '/')
    await reader.page.goto(`${BASE}/?q=${encodeURIComponent(fx.phrase)}`)
    await waitForHitsOrEmpty(reader.page)
    const titles = await reader.page.locator('.hit .title-link').allInnerTexts()
    assert.ok(!titles.some((t) => t.includes(token)), `a retracted case is not found: ${titles.join(' | ')}`)
    await reader.page.goto(`${BASE}/entries/${fx.entryId}`)
    const state = reader.page.locator('[data-testid="entry-retracted"]')
    await state.waitFor()
    assert.match(await state.innerText(), /该条目已撤回/)
    assert.ok((await state.innerText()).includes(fx.reason), 'the retraction reason is shown')
    await screenshot(reader.page, '40-workflow-16-retracted-entry')
    // The retraction problem (410) is an expected answer, not a page error.
    await done(reader.page, reader.problems)
  })
})
