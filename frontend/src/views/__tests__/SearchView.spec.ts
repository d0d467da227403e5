import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { Hit, InferredCharge, SearchResponse } from '@/api/types'
import { resetSession } from '@/stores/session'
import SearchView from '@/views/SearchView.vue'

import { makeHit } from '@/components/__tests__/hitFixtures'

import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'

// A pasted fact text (示例) that names no charge: long enough to be sent with POST.
const FACTS = '示例：犯罪嫌疑人某甲深夜撬开停放在小区内的轿车车门，拿走车内的笔记本电脑一台，后将电脑变卖。'.repeat(5)

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
})

function response(inferred: InferredCharge[]): SearchResponse {
  return {
    query: FACTS,
    total: 0,
    page: 1,
    page_size: 10,
    took_ms: 3,
    analysis: {
      tokens: ['撬开'],
      charges: [],
      outcomes: [],
      line: null,
      long_query: true,
      inferred_charges: inferred,
      inferred_reach: null,
    },
    hits: [],
    facets: {},
  }
}

/** The search page on `path`; every search answers with `inferred` (as the backend does, filter or not). */
async function mountSearch(path: string, inferred: InferredCharge[]) {
  signedInAs(['search', 'entries:read'])
  const calls = fakeFetch({
    'GET /api/stats': { entries_by_kind: {}, chunks: 0, by_line: {}, by_case_type: {} },
    'POST /api/search': response(inferred),
    'GET /api/search': { ...response([]), analysis: { ...response([]).analysis, long_query: false } },
  })
  const router = await testRouter(path)
  const wrapper = mount(SearchView, { global: { plugins: [router] }, attachTo: document.body })
  await settle()
  return { wrapper, router, calls }
}

const THEFT = [
  { charge: '盗窃罪', share: 0.62 },
  { charge: '诈骗罪', share: 0.31 },
]

describe('SearchView: charges inferred for a pasted fact text', () => {
  it('shows one line naming the inferred charges above the results', async () => {
    const { wrapper } = await mountSearch(`/?q=${encodeURIComponent(FACTS)}`, THEFT)
    const line = wrapper.get('[data-testid="inferred-charges"]')
    expect(line.text()).toContain('未指明罪名：按相似案例推断为')
    expect(line.findAll('button').map((b) => b.text())).toEqual(['盗窃罪（62%）', '诈骗罪（31%）', '仅按案情相似度排列'])
    expect(line.element.closest('[aria-live="polite"]')).not.toBeNull()
    wrapper.unmount()
  })

  it('shows nothing when the search inferred no charge', async () => {
    const { wrapper } = await mountSearch(`/?q=${encodeURIComponent(FACTS)}`, [])
    expect(wrapper.find('[data-testid="inferred-charges"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('shows nothing once a 罪名 filter is set, even if the response still carries inferred charges', async () => {
    const { wrapper } = await mountSearch(`/?q=${encodeURIComponent(FACTS)}&charges=${encodeURIComponent('故意伤害罪')}`, THEFT)
    expect(wrapper.find('.active-filters').text()).toContain('故意伤害罪')
    expect(wrapper.find('[data-testid="inferred-charges"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('clicking a charge adds it as a 罪名 filter through the URL, searches again and focuses the filter chip', async () => {
    const { wrapper, router, calls } = await mountSearch(`/?q=${encodeURIComponent(FACTS)}&page=2`, THEFT)
    const button = wrapper.get('[data-testid="inferred-charges"]').findAll('button')[1]!
    await button.trigger('click')
    await settle()
    expect(router.currentRoute.value.query).toEqual({ q: FACTS, charges: '诈骗罪' }) // page reset, as a facet click
    const searches = calls.filter((c) => c.path === '/api/search')
    expect(searches).toHaveLength(2)
    expect(searches[1]!.body).toMatchObject({ q: FACTS, page: 1, filters: { charges: ['诈骗罪'] } })
    expect(wrapper.find('[data-testid="inferred-charges"]').exists()).toBe(false)
    const chip = wrapper.get('.active-filters button[data-field="charges"]')
    expect(chip.text()).toContain('诈骗罪')
    expect(document.activeElement).toBe(chip.element)
    wrapper.unmount()
  })
})

describe('SearchView: the order by case similarity alone', () => {
  it('switches the inferred order off through the URL and back, keeping focus on the line', async () => {
    const { wrapper, router, calls } = await mountSearch(`/?q=${encodeURIComponent(FACTS)}&page=2`, THEFT)
    await wrapper.get('[data-testid="inferred-ignore"]').trigger('click')
    await settle()
    expect(router.currentRoute.value.query).toEqual({ q: FACTS, infer: '0' }) // page reset
    const searches = () => calls.filter((c) => c.path === '/api/search')
    expect(searches()[1]!.body).toMatchObject({ q: FACTS, page: 1, infer_charges: false })
    expect(wrapper.find('[data-testid="inferred-charges"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="inferred-off"]').text()).toContain('已不按推断罪名排序')
    expect(document.activeElement).toBe(wrapper.get('[data-testid="inferred-restore"]').element)

    await wrapper.get('[data-testid="inferred-restore"]').trigger('click')
    await settle()
    expect(router.currentRoute.value.query).toEqual({ q: FACTS })
    expect(searches()[2]!.body).not.toHaveProperty('infer_charges')
    expect(wrapper.find('[data-testid="inferred-off"]').exists()).toBe(false)
    expect(document.activeElement).toBe(wrapper.get('[data-testid="inferred-ignore"]').element)
    wrapper.unmount()
  })

  it('says nothing about the order for a short query or once a 罪名 filter is set', async () => {
    const short = await mountSearch(`/?q=${encodeURIComponent('盗窃')}&infer=0`, [])
    const sent = short.calls.find((c) => c.path === '/api/search')!
    expect(sent.method).toBe('GET')
    expect(sent.query.get('infer_charges')).toBe('false')
    expect(short.wrapper.find('.error-state').exists()).toBe(false) // answered: it is the short query that hides the line
    expect(short.wrapper.find('[data-testid="inferred-off"]').exists()).toBe(false)
    short.wrapper.unmount()
    const filtered = await mountSearch(`/?q=${encodeURIComponent(FACTS)}&infer=0&charges=${encodeURIComponent('盗窃罪')}`, [])
    expect(filtered.wrapper.find('[data-testid="inferred-off"]').exists()).toBe(false)
    filtered.wrapper.unmount()
  })
})

/** Result number `n` (1-based, across pages) of a pasted fact text: 示例 entries c1, c2, …. */
function hit(n: number): Hit {
  return makeHit({
    id: `c${n}`,
    title: `示例案例${n}`,
    number: null,
    charges: ['盗窃罪'],
    outcomes: [],
    score: 1 / n,
    section: 'facts',
    section_label: '基本案情',
    passage: '示例案情。',
    highlights: [],
    reasons: [],
  })
}

const TOTAL = 25

/** The search page on `path`, answering each page of TOTAL results with `reach` as `analysis.inferred_reach`. */
async function mountPaged(path: string, reach: number | null) {
  signedInAs(['search', 'entries:read'])
  fakeFetch({
    'GET /api/stats': { entries_by_kind: {}, chunks: 0, by_line: {}, by_case_type: {} },
    'POST /api/search': (call) => {
      const { page, page_size: size } = call.body as { page: number; page_size: number }
      const numbers = Array.from({ length: TOTAL }, (_, i) => i + 1).slice((page - 1) * size, page * size)
      const base = response(THEFT)
      const analysis = { ...base.analysis, inferred_reach: reach }
      return { ...base, total: TOTAL, page, page_size: size, hits: numbers.map(hit), analysis }
    },
  })
  const router = await testRouter(path)
  const wrapper = mount(SearchView, { global: { plugins: [router] }, attachTo: document.body })
  await settle()
  return wrapper
}

/** The titles of the page's hits with '—' where the divider stands. */
function listed(wrapper: Awaited<ReturnType<typeof mountPaged>>): string[] {
  return wrapper.findAll('.hit-list > li').flatMap((li) => {
    const title = li.get('.title-link').text()
    return li.find('[data-testid="inferred-reach"]').exists() ? ['—', title] : [title]
  })
}

const Q = `/?q=${encodeURIComponent(FACTS)}`
const LINE = '以上 3 条按推断罪名「盗窃罪」、「诈骗罪」优先排列；以下按案情相似度排列'

describe('SearchView: where the inferred charges stop ordering the results', () => {
  it('draws one labelled separator between result 3 and result 4 on page 1', async () => {
    const wrapper = await mountPaged(Q, 3)
    expect(listed(wrapper).slice(0, 5)).toEqual(['示例案例1', '示例案例2', '示例案例3', '—', '示例案例4'])
    const dividers = wrapper.findAll('[data-testid="inferred-reach"]')
    expect(dividers).toHaveLength(1)
    expect(dividers[0]!.attributes('role')).toBe('separator')
    expect(dividers[0]!.attributes('aria-label')).toBe(LINE)
    expect(dividers[0]!.text()).toBe(LINE)
    wrapper.unmount()
  })

  it('counts across pages: result 13 of 25 puts it on page 2 only, after that page\'s third hit', async () => {
    const first = await mountPaged(Q, 13)
    expect(first.find('[data-testid="inferred-reach"]').exists()).toBe(false)
    first.unmount()
    const second = await mountPaged(`${Q}&page=2`, 13)
    expect(listed(second).slice(0, 5)).toEqual(['示例案例11', '示例案例12', '示例案例13', '—', '示例案例14'])
    expect(second.get('[data-testid="inferred-reach"]').attributes('aria-label')).toContain('以上 13 条')
    second.unmount()
  })

  it('a reach ending a page is marked at the top of the next page, before its first hit', async () => {
    const first = await mountPaged(Q, 10)
    expect(first.findAll('.hit-list > li')).toHaveLength(10)
    expect(first.find('[data-testid="inferred-reach"]').exists()).toBe(false)
    first.unmount()
    const second = await mountPaged(`${Q}&page=2`, 10)
    expect(listed(second).slice(0, 2)).toEqual(['—', '示例案例11'])
    expect(second.get('[data-testid="inferred-reach"]').text()).toContain('以上 10 条')
    second.unmount()
  })

  it('draws nothing when the response has no reach, or once a 罪名 filter is set', async () => {
    const none = await mountPaged(Q, null)
    expect(none.findAll('.hit-list > li')).toHaveLength(10)
    expect(none.find('[role="separator"]').exists()).toBe(false)
    none.unmount()
    const filtered = await mountPaged(`${Q}&charges=${encodeURIComponent('盗窃罪')}`, 3)
    expect(filtered.find('[data-testid="inferred-reach"]').exists()).toBe(false)
    filtered.unmount()
  })
})
