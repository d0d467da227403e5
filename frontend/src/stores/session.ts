// Who is using the app: GET /api/auth/me, kept in one reactive store. Components ask `can(permission)`.

import { reactive, readonly } from 'vue'

import * as accounts from '@/api/accounts'
import { ApiError, setCsrfToken } from '@/api/client'
import type { Me } from '@/api/types'
import { zh } from '@/locales/zh-CN'

interface SessionState {
  me: Me | null
  loaded: boolean
  error: ApiError | null
}

const state = reactive<SessionState>({ me: null, loaded: false, error: null })
let pending: Promise<void> | null = null

export const session = readonly(state)

export function applyMe(me: Me): void {
  state.me = me
  state.loaded = true
  state.error = null
  setCsrfToken(me.csrf_token)
}

/** Loads /api/auth/me once (or again with `force`); concurrent callers share one request. */
export function loadSession(force = false): Promise<void> {
  if (pending) return pending
  if (state.loaded && !force) return Promise.resolve()
  pending = accounts
    .getMe()
    .then(applyMe)
    .catch((err: unknown) => {
      state.error = err instanceof ApiError ? err : new ApiError(0, zh.common.badResponse)
      state.loaded = true
    })
    .finally(() => {
      pending = null
    })
  return pending
}

export function can(permission: string | undefined | null): boolean {
  if (!permission) return true
  return !!state.me?.permissions.includes(permission)
}

export function isSignedIn(): boolean {
  return !!state.me?.authenticated
}

export async function signIn(username: string, password: string): Promise<Me> {
  const me = await accounts.login(username, password)
  applyMe(me)
  return me
}

export async function signOut(): Promise<void> {
  try {
    await accounts.logout()
  } finally {
    setCsrfToken(null)
    state.me = null
    state.loaded = false
    await loadSession(true)
  }
}

/** For tests: forget everything. */
export function resetSession(): void {
  state.me = null
  state.loaded = false
  state.error = null
  pending = null
  setCsrfToken(null)
}
