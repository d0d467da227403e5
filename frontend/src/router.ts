import { createRouter, createWebHistory } from 'vue-router'
import type { RouteLocationRaw, RouteRecordRaw } from 'vue-router'

import { onCsrfRefresh, onUnauthorized } from './api/client'
import { can, loadSession, session } from './stores/session'
import { allowedNav } from './utils/navigation'
import { P } from './utils/permissions'

declare module 'vue-router' {
  interface RouteMeta {
    /** The permission (from /api/auth/me) a caller needs to see the page. */
    permission?: string
    /** Pages anyone may open (sign-in, not found). */
    public?: boolean
    /** Pages that need a signed-in account whatever its roles (own password and tokens). */
    signedIn?: boolean
  }
}

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'search', component: () => import('./views/SearchView.vue'), meta: { permission: P.search } },
  {
    path: '/entries/:id',
    name: 'entry',
    component: () => import('./views/EntryView.vue'),
    props: true,
    meta: { permission: P.read },
  },
  { path: '/compare', name: 'compare', component: () => import('./views/CompareView.vue'), meta: { permission: P.read } },
  {
    path: '/analysis',
    name: 'analysis',
    component: () => import('./views/AnalysisView.vue'),
    meta: { permission: P.search },
  },
  {
    path: '/divergences',
    name: 'divergences',
    component: () => import('./views/DivergencesView.vue'),
    meta: { permission: P.analytics },
  },
  {
    path: '/guidelines/:id?',
    name: 'guidelines',
    component: () => import('./views/GuidelinesView.vue'),
    meta: { permission: P.read },
  },
  {
    path: '/power-list',
    name: 'power-list',
    component: () => import('./views/PowerListView.vue'),
    meta: { permission: P.read },
  },
  { path: '/laws', name: 'laws', component: () => import('./views/LawsView.vue'), meta: { permission: P.read } },
  { path: '/upload', name: 'upload', component: () => import('./views/UploadView.vue'), meta: { permission: P.import } },
  {
    path: '/warning-cases',
    name: 'warning-cases',
    component: () => import('./views/WarningCasesView.vue'),
    meta: { permission: P.read },
  },
  {
    path: '/collections',
    name: 'collections',
    component: () => import('./views/CollectionsView.vue'),
    meta: { permission: P.collections },
  },
  {
    path: '/collections/:id',
    name: 'collection',
    component: () => import('./views/CollectionView.vue'),
    props: true,
    meta: { permission: P.collections },
  },
  {
    path: '/workflow',
    name: 'workflow',
    component: () => import('./views/WorkflowView.vue'),
    meta: { permission: P.readUnpublished },
  },
  {
    path: '/workflow/:id',
    name: 'workflow-entry',
    component: () => import('./views/WorkflowEntryView.vue'),
    props: true,
    meta: { permission: P.readUnpublished },
  },
  {
    path: '/batches',
    name: 'batches',
    component: () => import('./views/BatchesView.vue'),
    meta: { permission: P.readUnpublished },
  },
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
  { path: '/account', name: 'account', component: () => import('./views/AccountView.vue'), meta: { signedIn: true } },
  { path: '/admin/users', name: 'users', component: () => import('./views/UsersView.vue'), meta: { permission: P.users } },
  { path: '/admin/audit', name: 'audit', component: () => import('./views/AuditView.vue'), meta: { permission: P.audit } },
  {
    path: '/admin/analytics',
    name: 'analytics',
    component: () => import('./views/AnalyticsView.vue'),
    meta: { permission: P.analytics },
  },
  {
    path: '/admin/settings',
    name: 'settings',
    component: () => import('./views/SettingsView.vue'),
    meta: { permission: P.settings },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./views/NotFoundView.vue'),
    meta: { public: true },
  },
]

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
  scrollBehavior(to, from, saved) {
    if (saved) return saved
    if (to.hash) return { el: to.hash, top: 72 }
    // Toggling a filter keeps the scroll position; another result page or another view starts at the top.
    if (to.name === 'search' && from.name === 'search' && to.query.page === from.query.page) return false
    return { top: 0 }
  },
})

export function loginLocation(redirect: string): RouteLocationRaw {
  return { name: 'login', query: redirect && redirect !== '/' ? { redirect } : {} }
}

/** The first page the caller may open (their home page), or null when there is none. */
export function homeRoute(): string | null {
  return allowedNav((p) => can(p))[0]?.name ?? null
}

/** True when the caller may not see the page: App shows a 无权限 state in its place (the URL stays). */
export function isDenied(meta: { permission?: string; signedIn?: boolean; public?: boolean }): boolean {
  if (meta.public || !session.me) return false
  if (meta.signedIn) return !session.me.authenticated
  return !can(meta.permission)
}

router.beforeEach(async (to) => {
  await loadSession()
  if (to.meta.public || !session.me) return true
  if (!isDenied(to.meta)) return true
  // Not signed in: sign in first, then come back here.
  if (!session.me.authenticated) return loginLocation(to.fullPath)
  // Signed in but the home page is not theirs (an administrator without 检察官): their first page instead.
  if (to.name === 'search') {
    const home = homeRoute()
    if (home && home !== 'search') return { name: home }
  }
  return true
})

// A 401 from the API means the session ended (expired, signed out elsewhere, password changed): sign in again and
// come back. The CSRF token is fetched again when the server refused it.
onUnauthorized(() => {
  const current = router.currentRoute.value
  void loadSession(true)
  if (current.name !== 'login') void router.push(loginLocation(current.fullPath))
})
onCsrfRefresh(async () => {
  await loadSession(true)
  return session.me?.csrf_token ?? null
})
