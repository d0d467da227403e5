import { afterEach, describe, expect, it, vi } from 'vitest'

import { ApiError, getEntry, problemToError, request, toQueryString } from '@/api/client'

function jsonResponse(body: unknown, status = 200, type = 'application/json') {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': type },
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('problemToError', () => {
  it('keeps the Chinese detail and the problem fields', () => {
    const err = problemToError(404, {
      type: '/errors/entry_not_found',
      title: 'Entry not found',
      status: 404,
      detail: '未找到条目“abc”。',
      code: 'entry_not_found',
      request_id: 'req-1',
      entry_id: 'abc',
    })
    expect(err).toBeInstanceOf(ApiError)
    expect(err.detail).toBe('未找到条目“abc”。')
    expect(err.message).toBe('未找到条目“abc”。')
    expect(err.code).toBe('entry_not_found')
    expect(err.requestId).toBe('req-1')
    expect(err.problem?.entry_id).toBe('abc')
  })

  it('falls back to validation messages, then the title, then a generic text', () => {
    expect(problemToError(422, { errors: [{ loc: ['query', 'page'], msg: '页码必须大于 0' }] }).detail).toBe(
      '页码必须大于 0',
    )
    expect(problemToError(500, { title: 'Internal error' }).detail).toBe('Internal error')
    expect(problemToError(502, '<html>Bad gateway</html>').detail).toBe('请求失败（HTTP 502），请稍后重试。')
    expect(problemToError(502, null).code).toBe('http_502')
  })
})

describe('request', () => {
  it('returns parsed JSON on success', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(jsonResponse({ ok: 1 }))))
    await expect(request<{ ok: number }>('/health')).resolves.toEqual({ ok: 1 })
  })

  it('turns problem+json responses into ApiError with the detail', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() =>
        Promise.resolve(
          jsonResponse({ status: 503, detail: '检索服务暂时不可用，请稍后重试。', code: 'store_unavailable' }, 503, 'application/problem+json'),
        ),
      ),
    )
    const err = await request('/search').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(503)
    expect((err as ApiError).detail).toBe('检索服务暂时不可用，请稍后重试。')
    expect((err as ApiError).code).toBe('store_unavailable')
  })

  it('reports network failures with status 0 and a Chinese message', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))))
    const err = (await request('/health').catch((e: unknown) => e)) as ApiError
    expect(err.status).toBe(0)
    expect(err.detail).toBe('无法连接服务器，请检查网络或稍后重试。')
  })

  it('rejects a 200 response that is not JSON', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(jsonResponse('<!doctype html>', 200, 'text/html'))))
    const err = (await request('/stats').catch((e: unknown) => e)) as ApiError
    expect(err.detail).toBe('服务器返回的数据无法解析。')
  })

  it('encodes ids and version in entry URLs', async () => {
    const fetchMock = vi.fn((_url: string) => Promise.resolve(jsonResponse({ id: 'a/b' })))
    vi.stubGlobal('fetch', fetchMock)
    await getEntry('a/b', 2)
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/entries/a%2Fb?version=2')
  })
})

describe('toQueryString', () => {
  it('repeats array values and skips empty ones', () => {
    expect(toQueryString({ ids: ['a', 'b'], q: '', page: 2, x: null, y: undefined })).toBe('?ids=a&ids=b&page=2')
    expect(toQueryString({})).toBe('')
  })
})
