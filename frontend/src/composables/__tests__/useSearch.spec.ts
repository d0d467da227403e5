import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'

import type { SearchResponse } from '@/api/types'
import type { SearchState } from '@/composables/useSearch'
import { buildSearchQuery, parseSearchState, useSearch } from '@/composables/useSearch'

describe('search URL state', () => {
  it('round-trips a full state through the route query', () => {
    const state: SearchState = {
      q: '醉酒驾驶 不起诉',
      page: 3,
      sort: 'date',
      filters: { line: ['刑事检察'], charges: ['危险驾驶罪', '盗窃罪'], year: ['2023'] },
      infer: false,
    }
    const query = buildSearchQuery(state)
    expect(query).toEqual({
      q: '醉酒驾驶 不起诉',
      line: '刑事检察',
      charges: ['危险驾驶罪', '盗窃罪'],
      year: '2023',
      sort: 'date',
      infer: '0',
      page: '3',
    })
    expect(parseSearchState(query as never)).toEqual(state)
  })

  it('leaves defaults out of the URL', () => {
    expect(buildSearchQuery({ q: '盗窃', page: 1, sort: 'relevance', filters: {}, infer: true })).toEqual({ q: '盗窃' })
  })

  it('parses messy queries defensively', () => {
    expect(
      parseSearchState({ q: ['a', 'b'], page: '-2', sort: 'weird', line: ['刑事检察', '', '刑事检察', null], foo: 'x' }),
    ).toEqual({ q: 'a', page: 1, sort: 'relevance', filters: { line: ['刑事检察'] }, infer: true })
    expect(parseSearchState({ page: 'abc' }).page).toBe(1)
    expect(parseSearchState({ infer: 'no' }).infer).toBe(true) // only infer=0 switches it off
  })
})

function response(overrides: Partial<SearchResponse> = {}): SearchResponse {
  return {
    query: '',
    total: 0,
    page: 1,
    page_size: 10,
    took_ms: 1,
    analysis: { tokens: [], charges: [], outcomes: [], line: null, long_query: false, inferred_charges: [], inferred_reach: null },
    hits: [],
    facets: {},
    ...overrides,
  }
}

describe('useSearch', () => {
  const fetchMock = vi.fn()

  beforeEach(() => {
    fetchMock.mockReset()
    fetchMock.mockImplementation(() => Promise.resolve(new Response(JSON.stringify(response()), { status: 200 })))
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  async function setup(path: string) {
    let api: ReturnType<typeof useSearch> | null = null
    const Probe = defineComponent({
      setup() {
        api = useSearch()
        return () => h('div')
      },
    })
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/', name: 'search', component: Probe },
        { path: '/entries/:id', name: 'entry', component: { render: () => h('p') } },
      ],
    })
    await router.push(path)
    await router.isReady()
    mount(defineComponent({ render: () => h(RouterView) }), { global: { plugins: [router] } })
    await flushPromises()
    return { router, api: api as unknown as ReturnType<typeof useSearch> }
  }

  it('does not search without a query or filters', async () => {
    await setup('/')
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('sends short queries with GET, repeating filter params', async () => {
    await setup('/?q=盗窃&line=刑事检察&line=民事检察&page=2')
    expect(fetchMock).toHaveBeenCalledTimes(1)
    const url = new URL(String(fetchMock.mock.calls[0]?.[0]), 'http://x')
    expect(url.pathname).toBe('/api/search')
    expect(url.searchParams.get('q')).toBe('盗窃')
    expect(url.searchParams.getAll('line')).toEqual(['刑事检察', '民事检察'])
    expect(url.searchParams.get('page')).toBe('2')
    expect(url.searchParams.get('sort')).toBe('relevance')
  })

  it('sends long pasted texts with POST', async () => {
    const q = '犯罪嫌疑人'.repeat(60)
    await setup(`/?q=${encodeURIComponent(q)}&charges=盗窃罪`)
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit]
    expect(url).toBe('/api/search')
    expect(init.method).toBe('POST')
    expect(JSON.parse(init.body as string)).toMatchObject({ q, page: 1, sort: 'relevance', filters: { charges: ['盗窃罪'] } })
  })

  it('toggling a filter updates the URL, resets the page and searches again', async () => {
    const { router, api } = await setup('/?q=盗窃&page=3')
    await api.toggleFilter('outcomes', '不起诉')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q: '盗窃', outcomes: '不起诉' })
    expect(fetchMock).toHaveBeenCalledTimes(2)
    await api.toggleFilter('outcomes', '不起诉')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q: '盗窃' })
  })

  it('switching the inference off sends infer_charges=false, keeps it while paging and resets it for a new text', async () => {
    const q = '犯罪嫌疑人'.repeat(60)
    const { router, api } = await setup(`/?q=${encodeURIComponent(q)}&page=2`)
    const body = (call: number) => JSON.parse((fetchMock.mock.calls[call] as [string, RequestInit])[1].body as string)
    expect(body(0)).not.toHaveProperty('infer_charges') // on by default: the field is left to its default
    await api.setInfer(false)
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q, infer: '0' }) // back to page 1
    expect(body(1)).toMatchObject({ q, page: 1, infer_charges: false })
    await api.setPage(2)
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q, infer: '0', page: '2' })
    expect(body(2)).toMatchObject({ page: 2, infer_charges: false })
    await api.submit(q) // the same text again keeps the choice
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q, infer: '0' })
    await api.submit('被告人'.repeat(60)) // a new text starts with the inference on
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q: '被告人'.repeat(60) })
    await api.setInfer(false)
    await api.setInfer(true)
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q: '被告人'.repeat(60) })
  })

  it('a short query switched off says so in the GET parameters', async () => {
    await setup('/?q=盗窃&infer=0')
    const url = new URL(String(fetchMock.mock.calls[0]?.[0]), 'http://x')
    expect(url.searchParams.get('infer_charges')).toBe('false')
    fetchMock.mockClear()
    await setup('/?q=盗窃')
    expect(new URL(String(fetchMock.mock.calls[0]?.[0]), 'http://x').searchParams.has('infer_charges')).toBe(false)
  })

  it('exposes the API problem detail as the error and retries', async () => {
    fetchMock.mockImplementationOnce(() =>
      Promise.resolve(
        new Response(JSON.stringify({ status: 503, code: 'store_unavailable', detail: '检索服务暂时不可用' }), {
          status: 503,
          headers: { 'Content-Type': 'application/problem+json' },
        }),
      ),
    )
    const { api } = await setup('/?q=盗窃')
    expect(api.error.value?.detail).toBe('检索服务暂时不可用')
    expect(api.error.value?.status).toBe(503)
    await api.retry()
    expect(api.error.value).toBeNull()
    expect(api.data.value?.total).toBe(0)
  })
})
