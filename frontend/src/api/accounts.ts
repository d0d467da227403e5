// Sign-in, own account, administration of accounts, audit log and search analytics (api/routes/auth.py, users.py,
// audit.py). Loaded with the pages that use them, except the session calls the app needs at start.

import { API_BASE, request, toQueryString } from './client'
import type { QueryValue } from './client'
import type { AuditPage, Me, QueryStats, RoleCode, TokenCreated, TokenInfo, UserInfo } from './types'

export function getMe(signal?: AbortSignal): Promise<Me> {
  return request<Me>('/auth/me', { signal, skipAuthRedirect: true })
}

export function login(username: string, password: string): Promise<Me> {
  return request<Me>('/auth/login', { method: 'POST', json: { username, password }, skipAuthRedirect: true })
}

export async function logout(): Promise<void> {
  await request<null>('/auth/logout', { method: 'POST', allowEmpty: true, skipAuthRedirect: true })
}

export function changePassword(currentPassword: string, newPassword: string): Promise<Me> {
  return request<Me>('/auth/password', {
    method: 'POST',
    json: { current_password: currentPassword, new_password: newPassword },
  })
}

export function listMyTokens(signal?: AbortSignal): Promise<TokenInfo[]> {
  return request<TokenInfo[]>('/auth/tokens', { signal })
}

export function createMyToken(name: string, expiresInDays: number | null): Promise<TokenCreated> {
  return request<TokenCreated>('/auth/tokens', {
    method: 'POST',
    json: { name, expires_in_days: expiresInDays },
  })
}

export function revokeMyToken(id: number): Promise<TokenInfo> {
  return request<TokenInfo>(`/auth/tokens/${id}`, { method: 'DELETE' })
}

// ---- administration --------------------------------------------------------------------------------------------

export function listUsers(signal?: AbortSignal): Promise<UserInfo[]> {
  return request<UserInfo[]>('/users', { signal })
}

export interface UserCreateBody {
  username: string
  password: string
  roles: RoleCode[]
  display_name: string
}

export function createUser(body: UserCreateBody): Promise<UserInfo> {
  return request<UserInfo>('/users', { method: 'POST', json: body })
}

export interface UserUpdateBody {
  roles?: RoleCode[]
  is_active?: boolean
  display_name?: string
}

export function updateUser(id: number, body: UserUpdateBody): Promise<UserInfo> {
  return request<UserInfo>(`/users/${id}`, { method: 'PATCH', json: body })
}

export async function resetPassword(id: number, newPassword: string): Promise<void> {
  await request<null>(`/users/${id}/password`, { method: 'PUT', json: { new_password: newPassword }, allowEmpty: true })
}

// Another user's API tokens (an administrator issues or revokes them for a script run under that account).

export function listUserTokens(userId: number, signal?: AbortSignal): Promise<TokenInfo[]> {
  return request<TokenInfo[]>(`/users/${userId}/tokens`, { signal })
}

export function createUserToken(userId: number, name: string, expiresInDays: number | null): Promise<TokenCreated> {
  return request<TokenCreated>(`/users/${userId}/tokens`, {
    method: 'POST',
    json: { name, expires_in_days: expiresInDays },
  })
}

export function revokeUserToken(userId: number, tokenId: number): Promise<TokenInfo> {
  return request<TokenInfo>(`/users/${userId}/tokens/${tokenId}`, { method: 'DELETE' })
}

export interface AuditQuery {
  user?: string
  action?: string[]
  outcome?: string
  since?: string
  until?: string
  page?: number
  page_size?: number
}

function auditParams(q: AuditQuery): Record<string, QueryValue> {
  return { user: q.user, action: q.action, outcome: q.outcome, since: q.since, until: q.until }
}

export function listAudit(q: AuditQuery, signal?: AbortSignal): Promise<AuditPage> {
  return request<AuditPage>('/audit', {
    query: { ...auditParams(q), page: q.page, page_size: q.page_size },
    signal,
  })
}

/** The CSV download link for the same filters (a plain GET: the session cookie goes with it). */
export function auditCsvUrl(q: AuditQuery): string {
  return `${API_BASE}/audit.csv${toQueryString(auditParams(q))}`
}

export interface WindowQuery {
  since?: string
  until?: string
  limit?: number
}

export function frequentQueries(q: WindowQuery, signal?: AbortSignal): Promise<QueryStats> {
  return request<QueryStats>('/analytics/queries', { query: { ...q }, signal })
}

export function contentGaps(q: WindowQuery, signal?: AbortSignal): Promise<QueryStats> {
  return request<QueryStats>('/analytics/gaps', { query: { ...q }, signal })
}
