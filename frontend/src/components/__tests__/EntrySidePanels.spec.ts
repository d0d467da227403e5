import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Component } from 'vue'

import type { Hit, RelatedPowerItem } from '@/api/types'
import ConcerningCasesPanel from '@/components/ConcerningCasesPanel.vue'
import SidePanel from '@/components/SidePanel.vue'
import SimilarCasesPanel from '@/components/SimilarCasesPanel.vue'
import WhoDecidesPanel from '@/components/WhoDecidesPanel.vue'
import { resetSession } from '@/stores/session'
import type { Call } from '@/views/__tests__/fakeApi'
import { fakeFetch, settle, signedInAs, testRouter } from '@/views/__tests__/fakeApi'
import { summary } from '@/views/__tests__/lawFixtures'

// The side panels of an entry page: each loads its own data for the entry it is given, once per entry, and says
// when it is loading, has failed or has nothing to show.

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
})

const hit = (id: string, overrides: Partial<Hit> = {}): Hit => ({
  ...summary(id),
  score: 1,
  section: 'gist',
  section_label: '要旨',
  passage: '',
  highlights: [],
  reasons: [],
  ...overrides,
})

const powerItem = (id: string, overrides: Partial<RelatedPowerItem> = {}): RelatedPowerItem => ({
  ...summary(id, { kind: 'power_item' }),
  basis: null,
  note: null,
  ...overrides,
})

async function mountPanel(panel: Component, handlers: Parameters<typeof fakeFetch>[0], entryId = 'c1') {
  signedInAs(['search', 'entries:read'])
  const calls = fakeFetch(handlers)
  const router = await testRouter('/')
  const wrapper = mount(panel, { props: { entryId }, global: { plugins: [router] } })
  return { wrapper, calls }
}

const count = (calls: Call[], path: string) => calls.filter((c) => c.path === path).length

describe('SidePanel', () => {
  it('names its section by its heading and shows the content once loaded', () => {
    const wrapper = mount(SidePanel, {
      props: { title: '版本', headingId: 'v-h' },
      attrs: { 'data-testid': 'versions' },
      slots: { default: '<p class="content">内容</p>' },
    })
    const section = wrapper.find('section[data-testid="versions"]')
    expect(section.attributes('aria-labelledby')).toBe('v-h')
    expect(section.find('h2#v-h').text()).toBe('版本')
    expect(wrapper.find('.content').text()).toBe('内容')
  })

  it('shows a loading line, then an error, instead of the content', async () => {
    const wrapper = mount(SidePanel, {
      props: { title: '类似案例', headingId: 's-h', loading: true },
      slots: { default: '<p class="content">内容</p>' },
    })
    expect(wrapper.find('p.muted').text()).toBe('加载中…')
    expect(wrapper.find('.content').exists()).toBe(false)
    await wrapper.setProps({ loading: false, error: { status: 500, detail: '服务暂不可用' } as never })
    expect(wrapper.find('.side-error').text()).toBe('服务暂不可用')
    expect(wrapper.find('.content').exists()).toBe(false)
  })
})

describe('WhoDecidesPanel', () => {
  it('lists the power-list items and the guideline articles, each under its heading', async () => {
    const { wrapper, calls } = await mountPanel(WhoDecidesPanel, {
      'GET /api/entries/c1/related': {
        power_items: [powerItem('p1', { title: '决定不起诉', power_subject: '检察长', line: '刑事检察', stage: '审查起诉', basis: '《刑事诉讼法》第一百七十七条' })],
        guideline_articles: [{ entry_id: 'g1', title: '示例办案指引', heading: '第十条', text: '条文正文', path: ['第二章'] }],
      },
    })
    expect(wrapper.find('p.muted').text()).toBe('加载中…')
    await settle()
    expect(count(calls, '/api/entries/c1/related')).toBe(1)
    const root = wrapper.find('[data-testid="related"]')
    expect(root.find('h2').text()).toBe('谁有权决定')
    expect(root.findAll('h3').map((h) => h.text())).toEqual(['相关权力清单事项', '相关办案指引条文'])
    const item = root.find('li.power-item')
    expect(item.find('a').attributes('href')).toBe('/entries/p1')
    expect(item.find('.badge').text()).toBe('检察长')
    expect(item.find('.power-meta .muted').text()).toBe('刑事检察 · 审查起诉')
    expect(item.text()).toContain('《刑事诉讼法》第一百七十七条')
    const article = root.find('li.article')
    expect(article.find('a').text()).toBe('第十条')
    expect(article.find('a').attributes('href')).toBe('/guidelines/g1?article=%E7%AC%AC%E5%8D%81%E6%9D%A1')
    expect(article.text()).toContain('条文正文')
    wrapper.unmount()
  })

  it('says so when nothing governs the entry, and shows the error when the request fails', async () => {
    const empty = await mountPanel(WhoDecidesPanel, { 'GET /api/entries/c1/related': { power_items: [], guideline_articles: [] } })
    await settle()
    expect(empty.wrapper.find('p.muted').text()).toBe('暂无关联的办案指引或权力清单事项')
    expect(empty.wrapper.find('h3').exists()).toBe(false)
    empty.wrapper.unmount()

    const failed = await mountPanel(WhoDecidesPanel, {
      'GET /api/entries/c1/related': { status: 500, body: { detail: '检索服务暂不可用' } },
    })
    await settle()
    expect(failed.wrapper.find('.side-error').text()).toBe('检索服务暂不可用')
    expect(failed.wrapper.find('ul').exists()).toBe(false)
    failed.wrapper.unmount()
  })

  it('loads again for another entry, once', async () => {
    const handlers = {
      'GET /api/entries/c1/related': { power_items: [], guideline_articles: [] },
      'GET /api/entries/c2/related': { power_items: [powerItem('p2')], guideline_articles: [] },
    }
    const { wrapper, calls } = await mountPanel(WhoDecidesPanel, handlers)
    await settle()
    await wrapper.setProps({ entryId: 'c2' })
    await settle()
    expect(count(calls, '/api/entries/c1/related')).toBe(1)
    expect(count(calls, '/api/entries/c2/related')).toBe(1)
    expect(wrapper.find('li.power-item a').attributes('href')).toBe('/entries/p2')
    wrapper.unmount()
  })
})

describe('SimilarCasesPanel', () => {
  it('asks for the top five and shows at most three reasons per case', async () => {
    const reasons = ['盗窃罪', '不起诉', '刑事检察', '第二百六十四条'].map((value) => ({ kind: 'charge' as const, value, label: '' }))
    const { wrapper, calls } = await mountPanel(SimilarCasesPanel, {
      'GET /api/entries/c1/similar': { hits: [hit('c7', { title: '示例类似案例', number: '检例第7号', reasons })] },
    })
    await settle()
    expect(calls.find((c) => c.path === '/api/entries/c1/similar')?.query.get('top_k')).toBe('5')
    const li = wrapper.find('[data-testid="similar"] li')
    expect(li.find('a').attributes('href')).toBe('/entries/c7')
    expect(li.find('p.small').text()).toContain('检例第7号')
    expect(li.findAll('.reason-row .chip').map((c) => c.text())).toEqual(['盗窃罪', '不起诉', '刑事检察'])
    wrapper.unmount()
  })

  it('says so when there are no similar cases, and shows the error when the request fails', async () => {
    const empty = await mountPanel(SimilarCasesPanel, { 'GET /api/entries/c1/similar': { hits: [] } })
    await settle()
    expect(empty.wrapper.find('p.muted').text()).toBe('暂无类似案例')
    expect(empty.wrapper.findAll('li')).toHaveLength(0)
    empty.wrapper.unmount()

    const failed = await mountPanel(SimilarCasesPanel, {
      'GET /api/entries/c1/similar': { status: 503, body: { detail: '向量检索暂不可用' } },
    })
    await settle()
    expect(failed.wrapper.find('.side-error').text()).toBe('向量检索暂不可用')
    failed.wrapper.unmount()
  })
})

describe('ConcerningCasesPanel', () => {
  it('lists the cases a guideline or power-list item governs, with their outcomes', async () => {
    const { wrapper, calls } = await mountPanel(
      ConcerningCasesPanel,
      { 'GET /api/entries/g1/cases': { hits: [hit('c9', { number: '示例第9号', case_type: '典型案例', outcomes: ['附条件不起诉'] })] } },
      'g1',
    )
    await settle()
    expect(calls.find((c) => c.path === '/api/entries/g1/cases')?.query.get('top_k')).toBe('8')
    const panel = wrapper.find('[data-testid="concerning-cases"]')
    expect(panel.find('a').attributes('href')).toBe('/entries/c9')
    expect(panel.find('p.small').text()).toBe('示例第9号 · 典型案例 · 附条件不起诉')
    wrapper.unmount()
  })

  it('says so when no case concerns the entry', async () => {
    const { wrapper } = await mountPanel(ConcerningCasesPanel, { 'GET /api/entries/g1/cases': { hits: [] } }, 'g1')
    await settle()
    expect(wrapper.find('p.muted').text()).toBe('暂无涉及此事项的案例')
    wrapper.unmount()
  })
})
