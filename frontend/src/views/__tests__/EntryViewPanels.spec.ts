import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { resetSession } from '@/stores/session'
import EntryView from '@/views/EntryView.vue'

import type { Call } from './fakeApi'
import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'
import { citations, lawDetail } from './lawFixtures'
import { entryDetail } from './workflowFixtures'

// The side panels' requests: 谁有权决定 (/related) on all but a law, 类似案例 (/similar) on a case, once per entry.

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
})

const READER = ['search', 'entries:read']
/** An entry has a `status` field of its own: wrap it so the fake does not take it for the HTTP status. */
const ok = (body: object) => ({ status: 200, body })
const SIDE = { guideline_articles: [], power_items: [] }

function handlers(): Parameters<typeof fakeFetch>[0] {
  const handled: Parameters<typeof fakeFetch>[0] = {
    'GET /api/entries/law1': ok(lawDetail()),
    'GET /api/entries/law1/citations': citations,
    'GET /api/entries/g1': ok(entryDetail('g1', { kind: 'guideline', title: '示例办案指引', case_type: null })),
    'GET /api/entries/g1/cases': { hits: [] },
  }
  for (const id of ['c1', 'c2', 'law1', 'g1']) {
    handled[`GET /api/entries/${id}/related`] = SIDE
    handled[`GET /api/entries/${id}/similar`] = { hits: [] }
  }
  for (const id of ['c1', 'c2']) {
    handled[`GET /api/entries/${id}`] = (call: Call) => {
      const version = Number(call.query.get('version') ?? 1)
      return ok(entryDetail(id, { version, current_version: 2, status: 'published', published_version: 2 }))
    }
  }
  return handled
}

async function mountAt(id: string) {
  signedInAs(READER)
  const calls = fakeFetch(handlers())
  const router = await testRouter(`/entries/${id}`)
  const wrapper = mount(EntryView, { props: { id }, global: { plugins: [router] } })
  await settle()
  return { wrapper, calls, router }
}

const count = (calls: Call[], path: string) => calls.filter((c) => c.path === path).length

describe('EntryView side panel requests', () => {
  it('makes no /related or /similar request on a law page', async () => {
    const { wrapper, calls } = await mountAt('law1')
    expect(wrapper.find('[data-testid="law-citations"]').exists()).toBe(true)
    expect(calls.some((c) => c.path.endsWith('/related') || c.path.endsWith('/similar'))).toBe(false)
    expect(count(calls, '/api/entries/law1/citations')).toBe(1)
    wrapper.unmount()
  })

  it('makes both, once each, on a case page', async () => {
    const { wrapper, calls } = await mountAt('c1')
    expect(count(calls, '/api/entries/c1/related')).toBe(1)
    expect(count(calls, '/api/entries/c1/similar')).toBe(1)
    expect(calls.find((c) => c.path === '/api/entries/c1/similar')?.query.get('top_k')).toBe('5')
    expect(wrapper.find('[data-testid="related"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="similar"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('asks a guideline for its 谁有权决定 panel but not for similar cases', async () => {
    const { wrapper, calls } = await mountAt('g1')
    expect(count(calls, '/api/entries/g1/related')).toBe(1)
    expect(count(calls, '/api/entries/g1/similar')).toBe(0)
    wrapper.unmount()
  })

  it('reloads them on navigation to another entry, not on another version of the same one', async () => {
    const { wrapper, calls, router } = await mountAt('c1')
    await router.push('/entries/c1?version=1')
    await settle()
    expect(count(calls, '/api/entries/c1')).toBe(2)
    expect(count(calls, '/api/entries/c1/related')).toBe(1)
    expect(count(calls, '/api/entries/c1/similar')).toBe(1)

    await router.push('/entries/c2')
    await wrapper.setProps({ id: 'c2' })
    await settle()
    expect(wrapper.find('[data-entry-id]').attributes('data-entry-id')).toBe('c2')
    expect(count(calls, '/api/entries/c2/related')).toBe(1)
    expect(count(calls, '/api/entries/c2/similar')).toBe(1)

    // From a case to a law: nothing for the law, and the case panels are gone.
    await router.push('/entries/law1')
    await wrapper.setProps({ id: 'law1' })
    await settle()
    expect(count(calls, '/api/entries/law1/related') + count(calls, '/api/entries/law1/similar')).toBe(0)
    expect(wrapper.find('[data-testid="similar"]').exists()).toBe(false)

    // And back to the first case: loaded again, once.
    await router.push('/entries/c1')
    await wrapper.setProps({ id: 'c1' })
    await settle()
    expect(count(calls, '/api/entries/c1/related')).toBe(2)
    expect(count(calls, '/api/entries/c1/similar')).toBe(2)
    wrapper.unmount()
  })
})
