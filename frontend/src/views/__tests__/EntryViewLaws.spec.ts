import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { resetSession } from '@/stores/session'
import EntryView from '@/views/EntryView.vue'

import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'
import { citations, lawDetail, links } from './lawFixtures'
import { entryDetail } from './workflowFixtures'

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
  document.body.innerHTML = ''
})

const READER = ['search', 'entries:read']
/** An entry has a `status` field of its own: wrap it so the fake does not take it for the HTTP status. */
const ok = (body: object) => ({ status: 200, body })

function sideHandlers(id: string) {
  return {
    [`GET /api/entries/${id}/related`]: { guideline_articles: [], power_items: [] },
    [`GET /api/entries/${id}/similar`]: { hits: [] },
    [`GET /api/entries/${id}/cases`]: { hits: [] },
  }
}

async function mountAt(path: string, id: string, handlers: Parameters<typeof fakeFetch>[0]) {
  signedInAs(READER)
  const calls = fakeFetch({ ...sideHandlers(id), ...handlers })
  const router = await testRouter(path)
  const wrapper = mount(EntryView, { props: { id }, global: { plugins: [router] }, attachTo: document.body })
  await settle()
  return { wrapper, calls, router }
}

describe('EntryView on a case citing provisions', () => {
  it('lists the cited provisions with links to the law articles instead of the plain 引用条文 row', async () => {
    const item = entryDetail('c1', { provisions: links.map((l) => l.provision), provision_links: links, status: 'published', published_version: 1 })
    const { wrapper } = await mountAt('/entries/c1', 'c1', { 'GET /api/entries/c1': ok(item) })
    const block = wrapper.find('[data-testid="provision-links"]')
    expect(block.find('h2').text()).toBe('引用条文')
    expect(block.find('a').attributes('href')).toBe('/entries/law1#sec-2')
    expect(wrapper.find('.element[data-field="provisions"]').exists()).toBe(false)
    // Case panels stay on a case.
    expect(wrapper.find('[data-testid="related"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="law-citations"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('keeps the plain row when the backend sends no provision links', async () => {
    const item = entryDetail('c1', { provisions: ['《刑法》第二百六十四条'] })
    const { wrapper } = await mountAt('/entries/c1', 'c1', { 'GET /api/entries/c1': ok(item) })
    expect(wrapper.find('[data-testid="provision-links"]').exists()).toBe(false)
    expect(wrapper.find('.element[data-field="provisions"] dd').text()).toBe('《刑法》第二百六十四条')
    wrapper.unmount()
  })
})

describe('EntryView on a law', () => {
  it('shows under each cited article how often it is cited and by which cases, loading the citations once', async () => {
    const { wrapper, calls } = await mountAt('/entries/law1', 'law1', {
      'GET /api/entries/law1': ok(lawDetail()),
      'GET /api/entries/law1/citations': citations,
    })
    const blocks = wrapper.findAll('section.section')
    expect(blocks.map((b) => b.attributes('id'))).toEqual(['sec-0', 'sec-1', 'sec-2', 'sec-3'])
    expect(blocks[0]!.find('[data-testid="article-citations"]').exists()).toBe(false)
    const cited = blocks[2]!.find('[data-testid="article-citations"]')
    expect(cited.find('.badge').text()).toBe('被引用 4 次')
    expect(cited.find('ul').attributes('aria-label')).toBe('引用第一百三十三条之一的案例')
    // The first three cases, the rest behind a disclosure button.
    expect(cited.findAll('li a').map((a) => a.attributes('href'))).toEqual(['/entries/c1', '/entries/c2', '/entries/c3'])
    const more = cited.find('button.more')
    expect(more.text()).toBe('展开其余 1 件')
    expect(more.attributes('aria-expanded')).toBe('false')
    await more.trigger('click')
    expect(cited.findAll('li a')).toHaveLength(4)
    expect(more.attributes('aria-expanded')).toBe('true')
    expect(blocks[3]!.find('[data-testid="article-citations"] .badge').text()).toBe('被引用 1 次')

    expect(calls.filter((c) => c.path === '/api/entries/law1/citations')).toHaveLength(1)
    wrapper.unmount()
  })

  it('has a side panel of the most cited articles and no case-only panels or actions', async () => {
    const { wrapper, calls } = await mountAt('/entries/law1', 'law1', {
      'GET /api/entries/law1': ok(lawDetail()),
      'GET /api/entries/law1/citations': citations,
    })
    const panel = wrapper.find('[data-testid="law-citations"]')
    expect(panel.find('h2').text()).toBe('引用本法的案例')
    expect(panel.find('[data-testid="law-citations-summary"]').text()).toBe('5 件案例引用了本法的 2 条')
    const items = panel.findAll('li.cited')
    expect(items.map((li) => li.find('a').text())).toEqual(['第一百三十三条之一', '第二百六十四条'])
    expect(items[0]!.find('a').attributes('href')).toBe('/entries/law1#sec-2')
    expect(items[0]!.find('.count').text()).toBe('4 件')
    for (const testid of ['related', 'similar', 'concerning-cases', 'analyse-this', 'add-to-collection']) {
      expect(wrapper.find(`[data-testid="${testid}"]`).exists(), testid).toBe(false)
    }
    expect(calls.some((c) => c.path === '/api/entries/law1/cases')).toBe(false)
    expect(wrapper.find('a.back-link').attributes('href')).toBe('/laws')
    // The contents list the 编/章 where they start, not every article.
    expect(wrapper.findAll('[data-testid="law-toc"] a').map((a) => a.text())).toEqual([
      '第一章 任务',
      '第二章 危害公共安全罪',
      '第五章 侵犯财产罪',
    ])
    // The path is shown where it changes, not above every article.
    expect(wrapper.findAll('section.section .crumbs').map((c) => c.text())).toEqual([
      '第一编 总则 › 第一章 任务',
      '第二编 分则 › 第二章 危害公共安全罪',
      '第二编 分则 › 第五章 侵犯财产罪',
    ])
    wrapper.unmount()
  })

  it('says so when no published case cites the law', async () => {
    const { wrapper } = await mountAt('/entries/law1', 'law1', {
      'GET /api/entries/law1': ok(lawDetail()),
      'GET /api/entries/law1/citations': { articles: [] },
    })
    expect(wrapper.find('[data-testid="law-citations"]').text()).toContain('暂无已发布的案例引用本法')
    expect(wrapper.find('[data-testid="article-citations"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('scrolls to, focuses and marks the article named by #sec-N once the law has loaded', async () => {
    const scrolled: string[] = []
    Element.prototype.scrollIntoView = function (this: Element) {
      scrolled.push(this.id)
    }
    const { wrapper } = await mountAt('/entries/law1#sec-2', 'law1', {
      'GET /api/entries/law1': ok(lawDetail()),
      'GET /api/entries/law1/citations': citations,
    })
    const target = wrapper.find('#sec-2')
    // Scrolled when the articles render, and again once the citing cases have pushed them down.
    expect(scrolled.length).toBeGreaterThanOrEqual(1)
    expect(new Set(scrolled)).toEqual(new Set(['sec-2']))
    expect(target.classes()).toContain('target')
    expect(target.attributes('aria-current')).toBe('location')
    expect(target.find('.target-badge').text()).toBe('所查条文')
    expect(document.activeElement?.id).toBe('sec-2')
    expect(wrapper.findAll('section.target')).toHaveLength(1)
    wrapper.unmount()
  })

  it('finds the article named by ?article= (a search hit) and ignores an unknown anchor', async () => {
    Element.prototype.scrollIntoView = vi.fn()
    const byName = await mountAt('/entries/law1?article=第二百六十四条', 'law1', {
      'GET /api/entries/law1': ok(lawDetail()),
      'GET /api/entries/law1/citations': citations,
    })
    expect(byName.wrapper.find('section.target').attributes('id')).toBe('sec-3')
    byName.wrapper.unmount()

    const unknown = await mountAt('/entries/law1#sec-99', 'law1', {
      'GET /api/entries/law1': ok(lawDetail()),
      'GET /api/entries/law1/citations': citations,
    })
    expect(unknown.wrapper.find('section.target').exists()).toBe(false)
    unknown.wrapper.unmount()
  })

  it('moves the mark when the hash changes on the same page (a link in the side panel)', async () => {
    Element.prototype.scrollIntoView = vi.fn()
    const { wrapper, router } = await mountAt('/entries/law1#sec-2', 'law1', {
      'GET /api/entries/law1': ok(lawDetail()),
      'GET /api/entries/law1/citations': citations,
    })
    await router.push('/entries/law1#sec-3')
    await settle()
    expect(wrapper.find('section.target').attributes('id')).toBe('sec-3')
    wrapper.unmount()
  })

  it('keeps section anchors as API indexes on a case whose 关键词 section is hidden', async () => {
    const item = entryDetail('c1', {
      sections: [
        { key: 'keywords', label: '关键词', heading: '【关键词】', text: '盗窃 不起诉', path: [] },
        { key: 'gist', label: '要旨', heading: '【要旨】', text: '要旨原文。', path: [] },
      ],
    })
    const { wrapper } = await mountAt('/entries/c1', 'c1', { 'GET /api/entries/c1': ok(item) })
    expect(wrapper.findAll('section.section').map((s) => s.attributes('id'))).toEqual(['sec-1'])
    wrapper.unmount()
  })
})
