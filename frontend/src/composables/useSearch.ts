// Search state lives in the URL (/?q=...&line=...&page=2) so a search can be shared and the back button works.
// parseSearchState/buildSearchQuery are pure and round-trip; useSearch wires them to the router and the API.

import { computed, onBeforeUnmount, ref, shallowRef, watch } from 'vue'
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import { useRoute, useRouter } from 'vue-router'

import { ApiError, isAbortError, search } from '@/api/client'
import type { FilterField, Filters, SearchResponse, SortOrder } from '@/api/types'
import { FILTER_FIELDS } from '@/api/types'
import { zh } from '@/locales/zh-CN'

export const PAGE_SIZE = 10

export interface SearchState {
  q: string
  page: number
  sort: SortOrder
  filters: Filters
  /** Whether a pasted fact text naming no charge is ordered by the charges inferred from its nearest cases. */
  infer: boolean
}

function firstString(value: LocationQuery[string] | undefined): string {
  if (Array.isArray(value)) return value.find((v): v is string => typeof v === 'string') ?? ''
  return typeof value === 'string' ? value : ''
}

function allStrings(value: LocationQuery[string] | undefined): string[] {
  const list = Array.isArray(value) ? value : [value]
  const out: string[] = []
  for (const v of list) {
    if (typeof v !== 'string') continue
    const t = v.trim()
    if (t && !out.includes(t)) out.push(t)
  }
  return out
}

export function parseSearchState(query: LocationQuery): SearchState {
  const page = Number.parseInt(firstString(query.page), 10)
  const filters: Filters = {}
  for (const field of FILTER_FIELDS) {
    const values = allStrings(query[field])
    if (values.length > 0) filters[field] = values
  }
  return {
    q: firstString(query.q),
    page: Number.isFinite(page) && page > 1 ? page : 1,
    sort: firstString(query.sort) === 'date' ? 'date' : 'relevance',
    filters,
    infer: firstString(query.infer) !== '0',
  }
}

/** The route query for a state; defaults (page 1, relevance, inference on) are left out to keep URLs short. */
export function buildSearchQuery(state: SearchState): LocationQueryRaw {
  const query: LocationQueryRaw = {}
  if (state.q) query.q = state.q
  for (const field of FILTER_FIELDS) {
    const values = state.filters[field]
    if (values && values.length > 0) query[field] = values.length === 1 ? values[0] : [...values]
  }
  if (state.sort !== 'relevance') query.sort = state.sort
  if (!state.infer) query.infer = '0'
  if (state.page > 1) query.page = String(state.page)
  return query
}

export function hasFilters(filters: Filters): boolean {
  return FILTER_FIELDS.some((f) => (filters[f]?.length ?? 0) > 0)
}

export function isSearchActive(state: SearchState): boolean {
  return state.q.trim().length > 0 || hasFilters(state.filters)
}

export function toggleFilterValue(filters: Filters, field: FilterField, value: string): Filters {
  const next: Filters = { ...filters }
  const current = next[field] ?? []
  const values = current.includes(value) ? current.filter((v) => v !== value) : [...current, value]
  if (values.length > 0) next[field] = values
  else delete next[field]
  return next
}

export function useSearch() {
  const route = useRoute()
  const router = useRouter()

  const state = computed(() => parseSearchState(route.query))
  const active = computed(() => isSearchActive(state.value))
  const data = shallowRef<SearchResponse | null>(null)
  const error = shallowRef<ApiError | null>(null)
  const loading = ref(false)
  let controller: AbortController | null = null

  async function run(): Promise<void> {
    controller?.abort()
    const s = state.value
    if (!isSearchActive(s)) {
      data.value = null
      error.value = null
      loading.value = false
      return
    }
    const ctl = new AbortController()
    controller = ctl
    loading.value = true
    error.value = null
    try {
      const request = { q: s.q.trim(), page: s.page, page_size: PAGE_SIZE, sort: s.sort, filters: s.filters }
      const result = await search(s.infer ? request : { ...request, infer_charges: false }, ctl.signal)
      if (ctl.signal.aborted) return
      data.value = result
    } catch (err) {
      if (isAbortError(err) || ctl.signal.aborted) return
      data.value = null
      error.value = err instanceof ApiError ? err : new ApiError(0, zh.common.badResponse)
    } finally {
      if (controller === ctl) loading.value = false
    }
  }

  const routeName = route.name
  // A stable key so that unrelated query changes (none today) or identical navigations do not refetch.
  const stateKey = computed(() => JSON.stringify(buildSearchQuery(state.value)))
  watch(
    stateKey,
    () => {
      if (route.name !== routeName) return
      void run()
    },
    { immediate: true },
  )
  onBeforeUnmount(() => controller?.abort())

  function go(next: SearchState): Promise<unknown> {
    const query = buildSearchQuery(next)
    // Submitting the same search again re-runs it (e.g. after an error) instead of being a no-op navigation.
    if (JSON.stringify(query) === stateKey.value) return run()
    return router.push({ name: 'search', query })
  }

  return {
    state,
    active,
    data,
    error,
    loading,
    retry: run,
    // A new text starts with the inference on again: switching it off was a choice about the previous text.
    submit: (q: string) => {
      const text = q.trim()
      return go({ ...state.value, q: text, page: 1, infer: text === state.value.q.trim() ? state.value.infer : true })
    },
    toggleFilter: (field: FilterField, value: string) =>
      go({ ...state.value, filters: toggleFilterValue(state.value.filters, field, value), page: 1 }),
    clearFilters: () => go({ ...state.value, filters: {}, page: 1 }),
    setSort: (sort: SortOrder) => go({ ...state.value, sort, page: 1 }),
    setPage: (page: number) => go({ ...state.value, page }),
    setInfer: (infer: boolean) => go({ ...state.value, infer, page: 1 }),
  }
}
