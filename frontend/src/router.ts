import { createRouter, createWebHistory } from 'vue-router'
import type { RouteRecordRaw } from 'vue-router'

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'search', component: () => import('./views/SearchView.vue') },
  { path: '/entries/:id', name: 'entry', component: () => import('./views/EntryView.vue'), props: true },
  { path: '/compare', name: 'compare', component: () => import('./views/CompareView.vue') },
  { path: '/guidelines/:id?', name: 'guidelines', component: () => import('./views/GuidelinesView.vue') },
  { path: '/power-list', name: 'power-list', component: () => import('./views/PowerListView.vue') },
  { path: '/upload', name: 'upload', component: () => import('./views/UploadView.vue') },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue') },
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
