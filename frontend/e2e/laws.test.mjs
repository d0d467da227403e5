// End-to-end journey for laws and provision links (issue 7 part 4), in Debian's Chromium against the real
// `kb serve` on the demo corpus (it holds an illustrative 示例 law whose articles demo cases cite). A reader opens a
// case that cites a provision resolving to a law article, reads the article in place, follows the link to the law,
// lands on the marked article, sees the case among those citing it, and comes back; then finds the law in 法律法规
// and an article through the search's 条目类型 filter. Skipped against the mock API (no laws there).
// Screenshots 70-laws-*.png.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'

import { api, baseUrl, hasHorizontalOverflow, isMock, launchBrowser, newPage, screenshot, unlabelledControls } from './helpers.mjs'

const skip = isMock() ? 'the mock API has no laws' : false
const BASE = skip ? '' : baseUrl()

let browser
/** Discovered from the API: a case citing a resolved provision, that provision, and the law. */
const fx = { caseDetail: null, link: null, law: null }

function assertNoPageErrors(problems) {
  assert.deepEqual(problems, [], `page errors: ${problems.join('\n')}`)
}

before(async () => {
  if (skip) return
  const cases = await api('/api/entries?kind=case&page_size=200')
  for (const c of cases.items.filter((i) => i.provisions?.length)) {
    const detail = await api(`/api/entries/${encodeURIComponent(c.id)}`)
    assert.ok(Array.isArray(detail.provision_links), 'GET /api/entries/{id} has no provision_links')
    const link = detail.provision_links.find((l) => l.law_entry_id && l.section_index !== null && l.text)
    if (link) {
      fx.caseDetail = detail
      fx.link = link
      break
    }
  }
  assert.ok(fx.link, 'no demo case cites a provision that resolves to a law article in the demo corpus')
  fx.law = await api(`/api/entries/${encodeURIComponent(fx.link.law_entry_id)}`)
  assert.equal(fx.law.kind, 'law')
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

describe('laws and provision links', { skip }, () => {
  it('a reader follows a cited provision from a case to the law article and back', async () => {
    const { page, problems } = await newPage(browser.context)
    const { caseDetail, link, law } = fx
    // The side panels' requests (谁有权决定, 类似案例): made for a case, never for a law.
    const sideRequests = []
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname
      if (/\/(related|similar)$/.test(path)) sideRequests.push(path)
    })
    await page.goto(`${BASE}/entries/${encodeURIComponent(caseDetail.id)}`)
    await page.locator('h1.entry-title').filter({ hasText: caseDetail.title }).waitFor()

    // The cited provisions, one row each, in the API's order; the plain 引用条文 row is gone.
    const block = page.locator('[data-testid="provision-links"]')
    await block.waitFor()
    const rows = block.locator('li.prov')
    assert.equal(await rows.count(), caseDetail.provision_links.length)
    assert.equal(await page.locator('.element[data-field="provisions"]').count(), 0)
    for (const [i, l] of caseDetail.provision_links.entries()) {
      const row = rows.nth(i)
      assert.match(await row.locator('.prov-name').innerText(), new RegExp(escapeRe(l.provision)))
      if (!l.law_entry_id) assert.equal(await row.locator('.prov-note').innerText(), '本库暂未收录该法律法规')
    }

    // The article text opens in place, from the keyboard.
    const index = caseDetail.provision_links.indexOf(link)
    const row = rows.nth(index)
    const toggle = row.locator('button.prov-toggle')
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false')
    await toggle.focus()
    await page.keyboard.press('Enter')
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true')
    const panel = page.locator(`#${await toggle.getAttribute('aria-controls')}`)
    await panel.waitFor({ state: 'visible' })
    const firstLine = link.text.split('\n')[0].trim().slice(0, 12)
    assert.match(await panel.innerText(), new RegExp(escapeRe(firstLine)))
    assert.deepEqual(await unlabelledControls(page), [])
    await screenshot(page, '70-laws-01-case-provisions')

    // Follow the link: the law page, scrolled to the marked article.
    const anchor = `sec-${link.section_index}`
    const href = await row.locator('a.prov-name').getAttribute('href')
    assert.equal(href, `/entries/${encodeURIComponent(law.id)}#${anchor}`)
    await row.locator('a.prov-name').click()
    await page.waitForURL((u) => u.pathname === `/entries/${law.id}` && u.hash === `#${anchor}`)
    const article = page.locator(`section#${anchor}.target`)
    await article.waitFor()
    assert.equal(await article.getAttribute('aria-current'), 'location')
    assert.equal(await article.locator('.target-badge').innerText(), '所查条文')
    await page.waitForFunction(
      (id) => {
        const r = document.getElementById(id)?.getBoundingClientRect()
        return !!r && r.top >= 0 && r.top < 160
      },
      anchor,
      { timeout: 5000 },
    )
    assert.equal(await page.evaluate(() => document.activeElement?.id), anchor)

    // The case is among those citing the article (behind 展开其余 when the list is long).
    const cited = article.locator('[data-testid="article-citations"]')
    await cited.waitFor()
    assert.match(await cited.locator('.badge').innerText(), /^被引用 \d+ 次$/)
    const more = cited.locator('button.more')
    if (await more.count()) await more.click()
    const caseLink = cited.locator(`a[href="/entries/${caseDetail.id}"]`)
    assert.equal(await caseLink.count(), 1, 'the case is not listed as citing the article')

    // Side panel: the most cited articles of this law, this one among them; no case-only panels.
    const side = page.locator('[data-testid="law-citations"]')
    await side.locator('[data-testid="law-citations-summary"]').waitFor()
    assert.ok((await side.locator(`a[href$="#${anchor}"]`).count()) >= 1 || (await side.locator('li.cited').count()) === 8)
    for (const testid of ['related', 'similar', 'analyse-this']) {
      assert.equal(await page.locator(`[data-testid="${testid}"]`).count(), 0, `${testid} shown on a law`)
    }
    const lawPath = `/api/entries/${encodeURIComponent(law.id)}`
    assert.deepEqual(sideRequests.filter((p) => p.startsWith(`${lawPath}/`)), [], 'a law page asked for case panels')
    assert.equal(await hasHorizontalOverflow(page), false, 'the law page scrolls sideways')
    await screenshot(page, '70-laws-02-law-article')

    // Back to the case.
    await page.goBack()
    await page.waitForURL((u) => u.pathname === `/entries/${caseDetail.id}`)
    await page.locator('h1.entry-title').filter({ hasText: caseDetail.title }).waitFor()
    await page.locator('[data-testid="provision-links"]').waitFor()
    await page.waitForFunction(() => {
      const panels = ['related', 'similar'].map((id) => document.querySelector(`[data-testid="${id}"]`))
      return panels.every((panel) => panel && !panel.textContent?.includes('加载中'))
    })
    const casePath = `/api/entries/${encodeURIComponent(caseDetail.id)}`
    for (const panel of ['related', 'similar']) {
      // Once on the first visit, once again on coming back.
      assert.equal(sideRequests.filter((p) => p === `${casePath}/${panel}`).length, 2, `${panel} requests`)
    }
    assertNoPageErrors(problems)
    await page.close()
  })

  it('the law is listed in 法律法规, and a law article is found with the 条目类型 filter', async () => {
    const { page, problems } = await newPage(browser.context)
    const { law } = fx
    await page.goto(`${BASE}/`)
    await page.locator('nav a[href="/laws"]').click()
    await page.waitForURL((u) => u.pathname === '/laws')
    const item = page.locator(`[data-testid="law-list"] li[data-entry-id="${law.id}"]`)
    await item.waitFor()
    assert.match(await item.innerText(), new RegExp(escapeRe(law.title.slice(0, 8))))
    // The article count comes with the list (EntrySummary.article_count).
    const listed = (await api('/api/entries?kind=law&page_size=1000')).items.find((i) => i.id === law.id)
    assert.ok(listed.article_count > 0, 'the law list has no article count')
    assert.match(await item.innerText(), new RegExp(`${listed.article_count} 条`))
    // The filter box narrows the list (by the law's own name) and a nonsense filter empties it.
    await page.locator('#laws-text').fill(law.title.slice(0, 6))
    await item.waitFor()
    await page.locator('#laws-text').fill('不存在的法律名称示例')
    await page.locator('[data-testid="laws-no-match"]').waitFor()
    await page.locator('[data-testid="laws-no-match"] button').click()
    await item.waitFor()
    await screenshot(page, '70-laws-03-list')

    // Search restricted to laws: the hits are articles of laws, named as such, and lead to the article.
    const words = fx.link.text.replace(/^示例[:：]?/, '').slice(0, 8)
    const answer = await api(`/api/search?q=${encodeURIComponent(words)}&kind=law&page_size=10`)
    assert.ok(answer.hits.length >= 1, `no law article found for ${words}`)
    assert.ok(answer.hits.every((h) => h.kind === 'law'))
    await page.goto(`${BASE}/?q=${encodeURIComponent(words)}&kind=law`)
    const hit = page.locator('article.hit').first()
    await hit.waitFor()
    assert.equal(await hit.locator('[data-testid="hit-kind"]').innerText(), '法律法规')
    assert.equal(await page.locator('fieldset[data-field="kind"] input:checked').count(), 1)
    assert.match(await page.locator('.active-filters').innerText(), /条目类型：法律法规/)
    await screenshot(page, '70-laws-04-search')
    const first = answer.hits[0]
    const article = /(第[〇零一二两三四五六七八九十百千\d]+条(?:之[一二三四五六七八九十\d]+)?)$/.exec(first.section_label)?.[1]
    await hit.locator('a.title-link').click()
    await page.waitForURL((u) => u.pathname === `/entries/${first.id}`)
    if (article) {
      const marked = page.locator('section.section.target')
      await marked.waitFor()
      assert.match(await marked.locator('.section-title').innerText(), new RegExp(escapeRe(article)))
    }
    assertNoPageErrors(problems)
    await page.close()
  })
})

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
