// The header's pages and the permission each needs; the first allowed one is the caller's home page.

import { zh } from '@/locales/zh-CN'

import { P } from './permissions'

export interface NavItem {
  name: string
  label: string
  permission: string
  /** Route names that mark this item active. */
  match: readonly string[]
}

export const NAV_ITEMS: readonly NavItem[] = [
  { name: 'search', label: zh.nav.search, permission: P.search, match: ['search'] },
  { name: 'analysis', label: zh.nav.analysis, permission: P.search, match: ['analysis'] },
  { name: 'warning-cases', label: zh.nav.warningCases, permission: P.read, match: ['warning-cases'] },
  { name: 'collections', label: zh.nav.collections, permission: P.collections, match: ['collections', 'collection'] },
  { name: 'guidelines', label: zh.nav.guidelines, permission: P.read, match: ['guidelines'] },
  { name: 'power-list', label: zh.nav.powerList, permission: P.read, match: ['power-list'] },
  { name: 'laws', label: zh.nav.laws, permission: P.read, match: ['laws'] },
  { name: 'upload', label: zh.nav.upload, permission: P.import, match: ['upload'] },
  {
    name: 'workflow',
    label: zh.nav.workflow,
    permission: P.readUnpublished,
    match: ['workflow', 'workflow-entry'],
  },
  { name: 'batches', label: zh.nav.batches, permission: P.readUnpublished, match: ['batches'] },
  { name: 'users', label: zh.nav.users, permission: P.users, match: ['users'] },
  { name: 'audit', label: zh.nav.audit, permission: P.audit, match: ['audit'] },
  { name: 'analytics', label: zh.nav.analytics, permission: P.analytics, match: ['analytics'] },
  { name: 'divergences', label: zh.nav.divergences, permission: P.analytics, match: ['divergences'] },
  { name: 'settings', label: zh.nav.settings, permission: P.settings, match: ['settings'] },
]

export function allowedNav(can: (permission: string) => boolean): NavItem[] {
  return NAV_ITEMS.filter((item) => can(item.permission))
}

/** A path the sign-in page may return to: same-origin paths only (no `//host`, no scheme). */
export function safeRedirect(value: unknown): string | null {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return null
  }
  if (value.startsWith('/login')) return null
  return value
}
