import { afterEach, describe, expect, it, vi } from 'vitest'

import { CSRF_HEADER, getCsrfToken } from '@/api/client'
import { can, loadSession, resetSession, session, signIn, signOut } from '@/stores/session'
import { allowedNav, safeRedirect } from '@/utils/navigation'
import { fakeFetch, makeMe } from '@/views/__tests__/fakeApi'

const anonymous = makeMe(['search', 'entries:read'], {
  authenticated: false,
  via: 'anonymous',
  user: null,
  csrf_token: null,
  anonymous_access: true,
})

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
})

describe('session store', () => {
  it('loads /api/auth/me once and answers permission questions', async () => {
    const calls = fakeFetch({ 'GET /api/auth/me': anonymous })
    await Promise.all([loadSession(), loadSession()])
    await loadSession()
    expect(calls).toHaveLength(1)
    expect(session.me?.anonymous_access).toBe(true)
    expect(can('search')).toBe(true)
    expect(can('collections:own')).toBe(false)
  })

  it('signs in (keeping the CSRF token) and signs out back to anonymous', async () => {
    const me = makeMe(['search', 'collections:own'])
    const calls = fakeFetch({
      'POST /api/auth/login': me,
      'POST /api/auth/logout': { status: 204 },
      'GET /api/auth/me': anonymous,
    })
    await signIn('trainer', 'secret')
    expect(calls[0]?.body).toEqual({ username: 'trainer', password: 'secret' })
    expect(getCsrfToken()).toBe('csrf-123')
    expect(can('collections:own')).toBe(true)
    await signOut()
    expect(calls[1]?.headers[CSRF_HEADER]).toBe('csrf-123')
    expect(session.me?.authenticated).toBe(false)
    expect(can('collections:own')).toBe(false)
  })

  it('keeps the error when who-am-I fails', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('offline'))))
    await loadSession()
    expect(session.me).toBeNull()
    expect(session.error?.detail).toBe('无法连接服务器，请检查网络或稍后重试。')
  })
})

describe('navigation by permission', () => {
  it('shows only the pages the permissions allow', () => {
    const names = (perms: string[]) => allowedNav((p) => perms.includes(p)).map((i) => i.name)
    expect(names(['search', 'entries:read'])).toEqual(['search', 'analysis', 'warning-cases', 'guidelines', 'power-list', 'laws'])
    expect(names(['users:manage', 'audit:read', 'analytics:read'])).toEqual(['users', 'audit', 'analytics', 'divergences'])
    expect(names(['search', 'entries:read', 'collections:own', 'entries:import'])).toContain('collections')
    expect(names([])).toEqual([])
  })

  it('returns only to same-origin paths after sign-in', () => {
    expect(safeRedirect('/collections/abc?x=1')).toBe('/collections/abc?x=1')
    expect(safeRedirect('//evil.example')).toBeNull()
    expect(safeRedirect('https://evil.example')).toBeNull()
    expect(safeRedirect('/login?redirect=/')).toBeNull()
    expect(safeRedirect(undefined)).toBeNull()
  })
})
