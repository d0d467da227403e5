import { afterEach, describe, expect, it, vi } from 'vitest'

import { analyzeCase, listDivergences } from '@/api/analysis'
import { ApiError, setCsrfToken } from '@/api/client'

afterEach(() => {
  vi.unstubAllGlobals()
  setCsrfToken(null)
})

function stubFetch(status: number, body: unknown) {
  const fetchMock = vi.fn((_url: string, _init?: RequestInit) =>
    Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })),
  )
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

describe('analysis client', () => {
  it('POSTs the query case as JSON with the CSRF token', async () => {
    setCsrfToken('tok')
    const fetchMock = stubFetch(200, { cases: [] })
    await analyzeCase({ text: '示例案情', top_k: 10, filters: { case_type: ['典型案例'] } })
    const [url, init] = fetchMock.mock.calls[0]!
    expect(url).toBe('/api/analysis')
    expect(init?.method).toBe('POST')
    expect(JSON.parse(init?.body as string)).toEqual({ text: '示例案情', top_k: 10, filters: { case_type: ['典型案例'] } })
    expect((init?.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok')
  })

  it('turns a 422 problem into an ApiError with its Chinese detail', async () => {
    stubFetch(422, { code: 'invalid_query', detail: '请粘贴需要比对的案情', request_id: 'r1' })
    const err = await analyzeCase({ text: ' ' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(422)
    expect((err as ApiError).detail).toBe('请粘贴需要比对的案情')
  })

  it('asks for a page of divergences', async () => {
    const fetchMock = stubFetch(200, { total: 0, items: [] })
    await listDivergences({ page: 3, page_size: 20 })
    expect(fetchMock.mock.calls[0]![0]).toBe('/api/analysis/divergences?page=3&page_size=20')
  })
})
