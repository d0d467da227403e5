import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { InferredCharge, SearchResponse } from '@/api/types'
import { resetSession } from '@/stores/session'
import SearchView from '@/views/SearchView.vue'

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
    analysis: { tokens: ['撬开'], charges: [], outcomes: [], line: null, long_query: true, inferred_charges: inferred },
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
    expect(line.findAll('button').map((b) => b.text())).toEqual(['盗窃罪（62%）', '诈骗罪（31%）'])
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
