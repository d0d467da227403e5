// Test helpers: a fake fetch answering by "METHOD /api/path", a router over the app's routes, a session.

import { flushPromises } from '@vue/test-utils'
import { vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { Router } from 'vue-router'

import type { Me } from '@/api/types'
import { routes } from '@/router'
import { applyMe } from '@/stores/session'

export interface Call {
  method: string
  path: string
  query: URLSearchParams
  body: unknown
  headers: Record<string, string>
}

/** A JSON body, or `{ status, body, headers }` for anything but a plain 200. */
export type Answer = object | string | number | boolean | null
type Handler = (call: Call) => Answer

export function fakeFetch(handlers: Record<string, Handler | Answer>): Call[] {
  const calls: Call[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn((input: string, init: RequestInit = {}) => {
      const url = new URL(input, 'http://localhost')
      const call: Call = {
        method: init.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : null,
        headers: (init.headers ?? {}) as Record<string, string>,
      }
      calls.push(call)
      const handler = handlers[`${call.method} ${call.path}`]
      if (handler === undefined) {
        return Promise.resolve(new Response(JSON.stringify({ detail: `未模拟：${call.method} ${call.path}` }), { status: 404 }))
      }
      const raw = typeof handler === 'function' ? (handler as Handler)(call) : handler
      const answer = (raw !== null && typeof raw === 'object' && 'status' in raw ? raw : { body: raw }) as {
        status?: number
        body?: unknown
        headers?: Record<string, string>
      }
      const status = answer.status ?? 200
      const text = answer.body === undefined || status === 204 ? null : JSON.stringify(answer.body)
      return Promise.resolve(
        new Response(text, { status, headers: { 'Content-Type': 'application/json', ...answer.headers } }),
      )
    }),
  )
  return calls
}

export function makeMe(permissions: string[], overrides: Partial<Me> = {}): Me {
  return {
    authenticated: true,
    via: 'session',
    user: {
      id: 7,
      username: 'trainer',
      display_name: '培训讲师',
      roles: [{ code: 'prosecutor', label: '检察官' }],
      is_active: true,
      created_at: '2026-11-01T00:00:00Z',
      last_login_at: null,
    },
    roles: [{ code: 'prosecutor', label: '检察官' }],
    permissions,
    csrf_token: 'csrf-123',
    anonymous_access: false,
    ...overrides,
  }
}

export function signedInAs(permissions: string[], overrides: Partial<Me> = {}): Me {
  const me = makeMe(permissions, overrides)
  applyMe(me)
  return me
}

export async function testRouter(path: string): Promise<Router> {
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push(path)
  await router.isReady()
  return router
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) await flushPromises()
}
