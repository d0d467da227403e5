import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { UserInfo } from '@/api/types'
import { resetSession } from '@/stores/session'
import UsersView from '@/views/UsersView.vue'

import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  resetSession()
})

function user(id: number, username: string, overrides: Partial<UserInfo> = {}): UserInfo {
  return {
    id,
    username,
    display_name: '',
    roles: [{ code: 'prosecutor', label: '检察官' }],
    is_active: true,
    created_at: '2026-11-01T00:00:00Z',
    last_login_at: null,
    ...overrides,
  }
}

async function mountUsers(handlers: Parameters<typeof fakeFetch>[0]) {
  signedInAs(['users:manage'], { user: { ...user(1, 'admin'), roles: [{ code: 'admin', label: '管理员' }] } })
  const calls = fakeFetch(handlers)
  const router = await testRouter('/admin/users')
  const wrapper = mount(UsersView, { global: { plugins: [router] } })
  await settle()
  return { wrapper, calls }
}

describe('UsersView', () => {
  it('lists users with their roles and state', async () => {
    const { wrapper } = await mountUsers({
      'GET /api/users': [user(1, 'admin'), user(2, 'zhang', { is_active: false, display_name: '张三' })],
    })
    const rows = wrapper.findAll('tbody tr')
    expect(rows).toHaveLength(2)
    expect(rows[1]?.text()).toContain('张三')
    expect(rows[1]?.text()).toContain('已停用')
    expect(rows[1]?.text()).toContain('启用')
    // One cannot deactivate oneself.
    expect(rows[0]?.find('button[aria-label="停用：admin"]').attributes('disabled')).toBeDefined()
  })

  it('creates a user with the chosen roles and the CSRF header', async () => {
    let users = [user(1, 'admin')]
    const { wrapper, calls } = await mountUsers({
      'GET /api/users': () => users,
      'POST /api/users': (c) => {
        users = [...users, user(3, 'li')]
        return { status: 201, body: { ...user(3, 'li'), ...(c.body as object) } }
      },
    })
    await wrapper.find('.head-row button').trigger('click')
    await wrapper.find('#nu-username').setValue('li')
    await wrapper.find('#nu-password').setValue('long-enough-pw')
    await wrapper.find('input[value="editor"]').setValue(true)
    await wrapper.find('[data-testid="user-create"]').trigger('submit')
    await settle()
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.body).toEqual({ username: 'li', display_name: '', password: 'long-enough-pw', roles: ['prosecutor', 'editor'] })
    expect(post?.headers['X-CSRF-Token']).toBe('csrf-123')
    expect(wrapper.find('[data-testid="users-message"]').text()).toContain('li')
    expect(wrapper.findAll('tbody tr')).toHaveLength(2)
  })

  it('shows the server reason when creation fails', async () => {
    const { wrapper } = await mountUsers({
      'GET /api/users': [],
      'POST /api/users': { status: 422, body: { detail: '密码太短：至少 10 个字符' } },
    })
    expect(wrapper.text()).toContain('还没有用户')
    await wrapper.find('.head-row button').trigger('click')
    await wrapper.find('#nu-username').setValue('li')
    await wrapper.find('[data-testid="user-create"]').trigger('submit')
    await settle()
    expect(wrapper.find('[data-testid="create-error"]').text()).toBe('密码太短：至少 10 个字符')
  })

  it('changes roles, deactivates and resets a password', async () => {
    const { wrapper, calls } = await mountUsers({
      'GET /api/users': [user(1, 'admin'), user(2, 'zhang')],
      'PATCH /api/users/2': (c) => ({ ...user(2, 'zhang'), ...(c.body as object) }),
      'PUT /api/users/2/password': { status: 204 },
    })
    vi.spyOn(window, 'confirm').mockReturnValue(true)
    const row = () => wrapper.find('tr[data-username="zhang"]')
    await row().find('button[aria-label="修改角色：zhang"]').trigger('click')
    await row().find('input[value="reviewer"]').setValue(true)
    await row().find('.btn-primary').trigger('click')
    await settle()
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ roles: ['prosecutor', 'reviewer'] })

    await row().find('button[aria-label="停用：zhang"]').trigger('click')
    await settle()
    expect(calls.filter((c) => c.method === 'PATCH')[1]?.body).toEqual({ is_active: false })

    await row().find('button[aria-label="重置密码：zhang"]').trigger('click')
    await row().find('input[type="password"]').setValue('new-password-1')
    await row().find('form.reset').trigger('submit')
    await settle()
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ new_password: 'new-password-1' })
    expect(wrapper.find('[data-testid="users-message"]').text()).toContain('已重置 zhang 的密码')
  })

  it('shows 无权限 instead of a blank page on 403', async () => {
    const { wrapper } = await mountUsers({
      'GET /api/users': { status: 403, body: { detail: '您的角色无权执行此操作', code: 'permission_denied' } },
    })
    const error = wrapper.find('[data-testid="error-state"]')
    expect(error.text()).toContain('无权限')
    expect(error.text()).toContain('您的角色无权执行此操作')
    expect(error.find('button').exists()).toBe(false)
  })
})
