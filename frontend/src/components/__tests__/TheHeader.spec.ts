import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import CollectionPicker from '@/components/CollectionPicker.vue'
import TheHeader from '@/components/TheHeader.vue'
import { resetSession } from '@/stores/session'
import { fakeFetch, settle, signedInAs, testRouter } from '@/views/__tests__/fakeApi'

afterEach(() => {
  vi.unstubAllGlobals()
  resetSession()
})

async function mountHeader() {
  const router = await testRouter('/')
  return mount(TheHeader, { global: { plugins: [router] }, attachTo: document.body })
}

const navText = (w: ReturnType<typeof mount>) => w.find('nav').findAll('a').map((a) => a.text())

describe('TheHeader', () => {
  it('shows only the pages the permissions allow, and the user menu', async () => {
    signedInAs(['users:manage', 'audit:read', 'analytics:read'], {
      roles: [{ code: 'admin', label: '管理员' }],
    })
    const wrapper = await mountHeader()
    expect(navText(wrapper)).toEqual(['用户管理', '审计日志', '检索分析', '分歧线索'])
    await wrapper.find('[data-testid="user-menu"]').trigger('click')
    const menu = wrapper.find('#user-menu-panel')
    expect(menu.text()).toContain('培训讲师')
    expect(menu.text()).toContain('管理员')
    expect(menu.text()).toContain('修改密码')
    expect(menu.text()).toContain('我的 API 令牌')
    expect(menu.text()).toContain('退出登录')
    wrapper.unmount()
  })

  it('shows 系统设置 only with settings:manage', async () => {
    signedInAs(['users:manage', 'settings:manage', 'audit:read', 'analytics:read'], {
      roles: [{ code: 'admin', label: '管理员' }],
    })
    const wrapper = await mountHeader()
    expect(navText(wrapper)).toEqual(['用户管理', '审计日志', '检索分析', '分歧线索', '系统设置'])
    expect(wrapper.find('nav a[href="/admin/settings"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('shows 审核发布 and 发布批次 to staff who may read unpublished entries', async () => {
    signedInAs(['search', 'entries:read', 'entries:read_unpublished', 'entries:review', 'entries:publish'])
    const wrapper = await mountHeader()
    expect(navText(wrapper)).toEqual(['类案检索', '类案比对', '警示案例', '办案指引', '权力清单', '法律法规', '审核发布', '发布批次'])
    wrapper.unmount()
  })

  it('shows a 登录 link to anonymous readers', async () => {
    signedInAs(['search', 'entries:read'], { authenticated: false, via: 'anonymous', user: null, anonymous_access: true })
    const wrapper = await mountHeader()
    expect(navText(wrapper)).toEqual(['类案检索', '类案比对', '警示案例', '办案指引', '权力清单', '法律法规'])
    expect(wrapper.find('[data-testid="sign-in-link"]').text()).toBe('登录')
    expect(wrapper.find('[data-testid="user-menu"]').exists()).toBe(false)
    wrapper.unmount()
  })
})

describe('CollectionPicker', () => {
  it('offers only my collections and adds the entry (pinned version included)', async () => {
    signedInAs(['collections:own'])
    const calls = fakeFetch({
      'GET /api/collections': {
        items: [
          { id: 'c1', title: '我的专题', mine: true, item_count: 2 },
          { id: 'c2', title: '他人专题', mine: false, item_count: 1 },
        ],
      },
      'POST /api/collections/c1/items': { status: 201, body: { id: 'c1', items: [] } },
    })
    const router = await testRouter('/')
    const wrapper = mount(CollectionPicker, {
      props: { entryId: 'e1', title: '王某案', version: 2 },
      global: { plugins: [router] },
      attachTo: document.body,
    })
    await settle()
    const picks = wrapper.findAll('button.pick')
    expect(picks.map((p) => p.text())).toEqual([expect.stringContaining('我的专题')])
    await picks[0]!.trigger('click')
    await settle()
    expect(calls.at(-1)?.body).toEqual({ entry_id: 'e1', version: 2 })
    expect(wrapper.find('[data-testid="picker-added"]').text()).toContain('已加入专题“我的专题”')
    expect(document.activeElement?.getAttribute('data-testid')).toBe('picker-done')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    expect(wrapper.emitted('close')).toHaveLength(1)
    wrapper.unmount()
  })

  it('shows why adding failed', async () => {
    signedInAs(['collections:own'])
    fakeFetch({
      'GET /api/collections': { items: [{ id: 'c1', title: '我的专题', mine: true, item_count: 2 }] },
      'POST /api/collections/c1/items': { status: 422, body: { detail: '条目 e1 已在专题“我的专题”中' } },
    })
    const router = await testRouter('/')
    const wrapper = mount(CollectionPicker, { props: { entryId: 'e1', title: '王某案' }, global: { plugins: [router] } })
    await settle()
    await wrapper.find('button.pick').trigger('click')
    await settle()
    expect(wrapper.find('[data-testid="picker-error"]').text()).toBe('条目 e1 已在专题“我的专题”中')
    wrapper.unmount()
  })
})
