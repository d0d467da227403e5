// Typed fetch wrapper for the kb HTTP API. Errors (RFC 9457 problem details) become ApiError with the
// Chinese `detail` the backend wrote for users.

import { zh } from '@/locales/zh-CN'

import type {
  CitationsResponse,
  CompareResponse,
  EntryDetail,
  EntryKind,
  EntryList,
  Health,
  IngestResponse,
  Problem,
  RelatedResponse,
  SearchRequest,
  SearchResponse,
  SimilarResponse,
  Stats,
} from './types'

export const API_BASE = '/api'

/** Queries longer than this are sent with POST /api/search (pasted case descriptions). */
export const LONG_QUERY_CHARS = 200

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: string
  readonly requestId: string | null
  readonly problem: Problem | null
  /** Seconds from the Retry-After header (429 on login), when the server sent one. */
  readonly retryAfter: number | null

  constructor(status: number, detail: string, problem: Problem | null = null, retryAfter: number | null = null) {
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.detail = detail
    this.problem = problem
    this.retryAfter = retryAfter
    this.code = typeof problem?.code === 'string' ? problem.code : status === 0 ? 'network_error' : `http_${status}`
    this.title = typeof problem?.title === 'string' ? problem.title : ''
    this.requestId = typeof problem?.request_id === 'string' ? problem.request_id : null
  }
}

export function isAbortError(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError'
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Build an ApiError from a status and a (possibly non-JSON) response body. */
export function problemToError(status: number, body: unknown, retryAfter: number | null = null): ApiError {
  if (status === 429 && retryAfter !== null) {
    const problem = isRecord(body) ? (body as Problem) : null
    return new ApiError(status, zh.auth.retryAfter(retryAfter), problem, retryAfter)
  }
  if (isRecord(body)) {
    const problem = body as Problem
    let detail = typeof problem.detail === 'string' && problem.detail.trim() ? problem.detail : ''
    if (!detail && Array.isArray(problem.errors) && problem.errors.length > 0) {
      detail = problem.errors.map((e) => e.msg).join('；')
    }
    if (!detail && typeof problem.title === 'string') detail = problem.title
    return new ApiError(status, detail || zh.common.httpError(status), problem)
  }
  return new ApiError(status, zh.common.httpError(status))
}

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[]

/** URLSearchParams with repeated keys for arrays; empty values are skipped. */
export function toQueryString(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue
    if (typeof value === 'object') {
      for (const v of value) search.append(key, String(v))
    } else {
      search.append(key, String(value))
    }
  }
  const s = search.toString()
  return s ? `?${s}` : ''
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RequestOptions {
  method?: HttpMethod
  query?: Record<string, QueryValue>
  json?: unknown
  signal?: AbortSignal
  /** 204 No Content (or an empty body) is a success; the promise resolves to null. */
  allowEmpty?: boolean
  /** Do not call the 401 handler (login, who-am-I: their 401 is an answer, not a lost session). */
  skipAuthRedirect?: boolean
}

// ---- session: CSRF token and the 401 handler ---------------------------------------------------------------

export const CSRF_HEADER = 'X-CSRF-Token'
const CSRF_COOKIE = 'kb_csrf'
let csrfToken: string | null = null
let unauthorizedHandler: (() => void) | null = null
let csrfRefresher: (() => Promise<string | null>) | null = null

/** The CSRF token from /api/auth/me or login; sent on every POST/PUT/PATCH/DELETE. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** The token in memory, else the readable `kb_csrf` cookie the server set with the session. */
export function getCsrfToken(): string | null {
  if (csrfToken) return csrfToken
  if (typeof document === 'undefined') return null
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === CSRF_COOKIE && rest.length) return decodeURIComponent(rest.join('='))
  }
  return null
}

/** Called when the API answers 401 (the session ended): the app sends the user to the sign-in page. */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler
}

/** Fetches a fresh CSRF token (GET /api/auth/me) when the server refused the one sent; the request is retried once. */
export function onCsrfRefresh(refresher: (() => Promise<string | null>) | null): void {
  csrfRefresher = refresher
}

export function isStateChanging(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD'
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds))
  const at = Date.parse(value)
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000))
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text()
  if (!text) return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

export async function request<T>(path: string, options: RequestOptions = {}, retried = false): Promise<T> {
  const url = `${API_BASE}${path}${options.query ? toQueryString(options.query) : ''}`
  const method = options.method ?? 'GET'
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' }
  const init: RequestInit = { method, headers, signal: options.signal, credentials: 'same-origin' }
  if (options.json !== undefined) {
    init.body = JSON.stringify(options.json)
    headers['Content-Type'] = 'application/json'
  }
  const token = isStateChanging(method) ? getCsrfToken() : null
  if (token) headers[CSRF_HEADER] = token
  let response: Response
  try {
    response = await fetch(url, init)
  } catch (err) {
    if (isAbortError(err)) throw err
    throw new ApiError(0, zh.common.networkError)
  }
  const body = await readBody(response)
  if (!response.ok) {
    const error = problemToError(response.status, body, parseRetryAfter(response.headers.get('Retry-After')))
    if (error.code === 'csrf_failed' && !retried && csrfRefresher) {
      const fresh = await csrfRefresher().catch(() => null)
      if (fresh) {
        setCsrfToken(fresh)
        return request<T>(path, options, true)
      }
    }
    if (response.status === 401 && !options.skipAuthRedirect) unauthorizedHandler?.()
    throw error
  }
  if (body === null && options.allowEmpty) return null as T
  if (body === null || typeof body === 'string') throw new ApiError(response.status, zh.common.badResponse)
  return body as T
}

// ---- endpoints -------------------------------------------------------------------------------------------

export function getHealth(signal?: AbortSignal): Promise<Health> {
  return request<Health>('/health', { signal })
}

export function getStats(signal?: AbortSignal): Promise<Stats> {
  return request<Stats>('/stats', { signal })
}

/** GET for short queries, POST for long pasted texts (same response). */
export function search(req: SearchRequest, signal?: AbortSignal): Promise<SearchResponse> {
  if (req.q.length > LONG_QUERY_CHARS) {
    return request<SearchResponse>('/search', { method: 'POST', json: req, signal })
  }
  const infer = req.infer_charges === false ? { infer_charges: 'false' } : {}
  return request<SearchResponse>('/search', {
    query: { q: req.q, page: req.page, page_size: req.page_size, sort: req.sort, ...infer, ...req.filters },
    signal,
  })
}

export interface ListEntriesParams {
  kind?: EntryKind
  line?: string
  stage?: string
  page?: number
  page_size?: number
  sort?: 'title' | 'date'
}

export function listEntries(params: ListEntriesParams, signal?: AbortSignal): Promise<EntryList> {
  return request<EntryList>('/entries', { query: { ...params }, signal })
}

export function getEntry(id: string, version?: number | null, signal?: AbortSignal): Promise<EntryDetail> {
  return request<EntryDetail>(`/entries/${encodeURIComponent(id)}`, { query: { version }, signal })
}

export function getSimilar(id: string, topK = 5, signal?: AbortSignal): Promise<SimilarResponse> {
  return request<SimilarResponse>(`/entries/${encodeURIComponent(id)}/similar`, { query: { top_k: topK }, signal })
}

/** The other direction of getRelated: the cases whose decision a guideline article or power-list item governs. */
export function getConcerningCases(id: string, topK = 8, signal?: AbortSignal): Promise<SimilarResponse> {
  return request<SimilarResponse>(`/entries/${encodeURIComponent(id)}/cases`, { query: { top_k: topK }, signal })
}

/** For a law entry: its cited articles and the published cases citing each (`{articles: []}` for other kinds). */
export function getCitations(id: string, article?: string | null, signal?: AbortSignal): Promise<CitationsResponse> {
  return request<CitationsResponse>(`/entries/${encodeURIComponent(id)}/citations`, { query: { article }, signal })
}

export function getRelated(id: string, signal?: AbortSignal): Promise<RelatedResponse> {
  return request<RelatedResponse>(`/entries/${encodeURIComponent(id)}/related`, { signal })
}

export function compareEntries(ids: readonly string[], signal?: AbortSignal): Promise<CompareResponse> {
  return request<CompareResponse>('/compare', { query: { ids }, signal })
}

export interface UploadHandlers {
  onProgress?: (fraction: number) => void
  onUploaded?: () => void
  /** Import text files as this kind (法律法规 or 办案指引) instead of recognising it; sent as the `kind` form field. */
  kind?: UploadKind | null
}

export type UploadKind = 'law' | 'guideline'

export interface UploadTask {
  promise: Promise<IngestResponse>
  abort: () => void
}

/** Upload files to POST /api/ingest with XMLHttpRequest so upload progress can be shown. */
export function uploadFiles(files: readonly File[], handlers: UploadHandlers = {}): UploadTask {
  const xhr = new XMLHttpRequest()
  const promise = new Promise<IngestResponse>((resolve, reject) => {
    const form = new FormData()
    for (const file of files) form.append('files', file, file.name)
    if (handlers.kind) form.append('kind', handlers.kind)
    xhr.open('POST', `${API_BASE}/ingest`)
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json')
    const token = getCsrfToken()
    if (token) xhr.setRequestHeader(CSRF_HEADER, token)
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) handlers.onProgress?.(event.loaded / event.total)
    }
    xhr.upload.onload = () => handlers.onUploaded?.()
    xhr.onerror = () => reject(new ApiError(0, zh.common.networkError))
    xhr.ontimeout = () => reject(new ApiError(0, zh.common.timeout))
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'))
    xhr.onload = () => {
      let body: unknown = null
      try {
        body = xhr.responseText ? (JSON.parse(xhr.responseText) as unknown) : null
      } catch {
        body = xhr.responseText
      }
      if (xhr.status >= 200 && xhr.status < 300 && isRecord(body)) resolve(body as unknown as IngestResponse)
      else if (xhr.status >= 200 && xhr.status < 300) reject(new ApiError(xhr.status, zh.common.badResponse))
      else {
        if (xhr.status === 401) unauthorizedHandler?.()
        reject(problemToError(xhr.status, body))
      }
    }
    xhr.send(form)
  })
  return { promise, abort: () => xhr.abort() }
}

