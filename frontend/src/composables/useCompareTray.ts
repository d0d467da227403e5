// The compare tray: 2–4 entries picked from search results or entry pages, kept in sessionStorage so the
// selection survives navigation and reloads within the tab.

import { computed, reactive } from 'vue'
import type { RouteLocationRaw } from 'vue-router'

export const COMPARE_MIN = 2
export const COMPARE_MAX = 4
const STORAGE_KEY = 'kb.compareTray'

export interface TrayItem {
  id: string
  title: string
}

interface StorageLike {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

function load(storage: StorageLike | null): TrayItem[] {
  if (!storage) return []
  try {
    const raw: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? '[]')
    if (!Array.isArray(raw)) return []
    return raw
      .filter(
        (x): x is TrayItem =>
          typeof x === 'object' && x !== null && typeof (x as TrayItem).id === 'string' && typeof (x as TrayItem).title === 'string',
      )
      .slice(0, COMPARE_MAX)
  } catch {
    return []
  }
}

export function createCompareTray(storage: StorageLike | null = null) {
  const items = reactive<TrayItem[]>(load(storage))

  function save(): void {
    try {
      storage?.setItem(STORAGE_KEY, JSON.stringify(items))
    } catch {
      // Storage full or disabled: the tray still works for this page.
    }
  }

  const count = computed(() => items.length)
  const isFull = computed(() => items.length >= COMPARE_MAX)
  const canCompare = computed(() => items.length >= COMPARE_MIN)
  const compareRoute = computed<RouteLocationRaw>(() => ({ name: 'compare', query: { ids: items.map((i) => i.id) } }))

  function has(id: string): boolean {
    return items.some((i) => i.id === id)
  }

  /** Adds an entry; returns false when the tray is already full. */
  function add(item: TrayItem): boolean {
    if (has(item.id)) return true
    if (items.length >= COMPARE_MAX) return false
    items.push({ id: item.id, title: item.title })
    save()
    return true
  }

  function remove(id: string): void {
    const index = items.findIndex((i) => i.id === id)
    if (index >= 0) {
      items.splice(index, 1)
      save()
    }
  }

  function toggle(item: TrayItem): boolean {
    if (has(item.id)) {
      remove(item.id)
      return true
    }
    return add(item)
  }

  function clear(): void {
    items.splice(0, items.length)
    save()
  }

  return { items, count, isFull, canCompare, compareRoute, has, add, remove, toggle, clear }
}

export type CompareTray = ReturnType<typeof createCompareTray>

let tray: CompareTray | null = null

function sessionStore(): StorageLike | null {
  try {
    return typeof window !== 'undefined' ? window.sessionStorage : null
  } catch {
    return null
  }
}

/** The app-wide tray (one per tab). */
export function useCompareTray(): CompareTray {
  tray ??= createCompareTray(sessionStore())
  return tray
}
