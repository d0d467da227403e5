import { afterEach, describe, expect, it, vi } from 'vitest'

import type { ApiError } from '@/api/client'
import {
  CSRF_HEADER,
  getCsrfToken,
  onCsrfRefresh,
  onUnauthorized,
  request,
  setCsrfToken,
} from '@/api/client'
import { fakeFetch } from '@/views/__tests__/fakeApi'

afterEach(() => {
  vi.unstubAllGlobals()
  setCsrfToken(null)
  onUnauthorized(null)
  onCsrfRefresh(null)
  document.cookie = 'kb_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/'
})

describe('CSRF and credentials', () => {
  it('sends the CSRF token on state-changing requests only, always with same-origin credentials', async () => {
    const calls = fakeFetch({ 'POST /api/collections': { id: 'c1' }, 'GET /api/collections': { items: [] } })
    setCsrfToken('tok-1')
    await request('/collections', { method: 'POST', json: { title: 'x' } })
    await request('/collections')
    expect(calls[0]?.headers[CSRF_HEADER]).toBe('tok-1')
    expect(calls[1]?.headers[CSRF_HEADER]).toBeUndefined()
    const init = vi.mocked(fetch).mock.calls[0]?.[1]
    expect(init?.credentials).toBe('same-origin')
  })

  it('falls back to the readable kb_csrf cookie', async () => {
    document.cookie = 'kb_csrf=from-cookie; path=/'
    expect(getCsrfToken()).toBe('from-cookie')
    const calls = fakeFetch({ 'DELETE /api/auth/tokens/3': { id: 3 } })
    await request('/auth/tokens/3', { method: 'DELETE' })
    expect(calls[0]?.headers[CSRF_HEADER]).toBe('from-cookie')
  })

  it('fetches a fresh token and retries once when the server refuses the CSRF token', async () => {
    let attempts = 0
    const calls = fakeFetch({
      'PATCH /api/users/2': () => {
        attempts += 1
        return attempts === 1
          ? { status: 403, body: { code: 'csrf_failed', detail: '缺少或错误的 X-CSRF-Token 请求头' } }
          : { id: 2 }
      },
    })
    setCsrfToken('stale')
    const refresh = vi.fn(() => Promise.resolve('fresh'))
    onCsrfRefresh(refresh)
    await expect(request('/users/2', { method: 'PATCH', json: {} })).resolves.toEqual({ id: 2 })
    expect(refresh).toHaveBeenCalledOnce()
    expect(calls.map((c) => c.headers[CSRF_HEADER])).toEqual(['stale', 'fresh'])
  })

  it('resolves an empty 204 answer to null when allowed', async () => {
    fakeFetch({ 'POST /api/auth/logout': { status: 204 } })
    await expect(request('/auth/logout', { method: 'POST', allowEmpty: true })).resolves.toBeNull()
  })
})

describe('401, 403 and 429', () => {
  it('calls the 401 handler (sign in again) and still rejects', async () => {
    fakeFetch({ 'GET /api/collections': { status: 401, body: { detail: '请先登录', code: 'not_authenticated' } } })
    const handler = vi.fn()
    onUnauthorized(handler)
    const err = (await request('/collections').catch((e: unknown) => e)) as ApiError
    expect(err.status).toBe(401)
    expect(err.detail).toBe('请先登录')
    expect(handler).toHaveBeenCalledOnce()
  })

  it('does not call the 401 handler for the sign-in request itself', async () => {
    fakeFetch({ 'POST /api/auth/login': { status: 401, body: { detail: '用户名或密码不正确' } } })
    const handler = vi.fn()
    onUnauthorized(handler)
    await request('/auth/login', { method: 'POST', json: {}, skipAuthRedirect: true }).catch(() => null)
    expect(handler).not.toHaveBeenCalled()
  })

  it('keeps the 403 detail (无权限) without redirecting', async () => {
    fakeFetch({ 'GET /api/audit': { status: 403, body: { detail: '您的角色无权执行此操作', code: 'permission_denied' } } })
    const handler = vi.fn()
    onUnauthorized(handler)
    const err = (await request('/audit').catch((e: unknown) => e)) as ApiError
    expect(err.status).toBe(403)
    expect(err.code).toBe('permission_denied')
    expect(handler).not.toHaveBeenCalled()
  })

  it('reads Retry-After on 429 and says in Chinese when to try again', async () => {
    fakeFetch({
      'POST /api/auth/login': { status: 429, body: { detail: 'too many' }, headers: { 'Retry-After': '42' } },
    })
    const err = (await request('/auth/login', { method: 'POST', json: {} }).catch((e: unknown) => e)) as ApiError
    expect(err.status).toBe(429)
    expect(err.retryAfter).toBe(42)
    expect(err.detail).toBe('登录尝试过多，请 42 秒后再试。')
  })
})
