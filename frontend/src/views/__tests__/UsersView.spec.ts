import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import type { TokenInfo, UserInfo } from '@/api/types'
import { resetSession } from '@/stores/session'
import UsersView from '@/views/UsersView.vue'

import { fakeFetch, settle, signedInAs, testRouter } from './fakeApi'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  resetSession()
  document.body.innerHTML = ''
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

function token(id: number, name: string, overrides: Partial<TokenInfo> = {}): TokenInfo {
  return {
    id,
    name,
    prefix: 'kb_zz99',
    created_at: '2026-11-01T00:00:00Z',
    expires_at: '2027-02-01T00:00:00Z',
    last_used_at: '2026-11-20T10:00:00Z',
    revoked_at: null,
    active: true,
    ...overrides,
  }
}

async function mountUsers(handlers: Parameters<typeof fakeFetch>[0]) {
  signedInAs(['users:manage'], { user: { ...user(1, 'admin'), roles: [{ code: 'admin', label: '管理员' }] } })
  const calls = fakeFetch(handlers)
  const router = await testRouter('/admin/users')
  const wrapper = mount(UsersView, { global: { plugins: [router] }, attachTo: document.body })
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

  it("manages another user's API tokens: list, create shown once, revoke after confirming", async () => {
    let tokens = [token(5, '旧导入脚本')]
    const writeText = vi.fn(() => Promise.resolve())
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false)
    const { wrapper, calls } = await mountUsers({
      'GET /api/users': [user(1, 'admin'), user(2, 'zhang', { display_name: '张三' })],
      'GET /api/users/2/tokens': () => tokens,
      'POST /api/users/2/tokens': () => {
        tokens = [...tokens, token(6, '夜间同步', { expires_at: null, last_used_at: null })]
        return { status: 201, body: { token: 'kb_for_zhang_secret', info: tokens[1] } }
      },
      'DELETE /api/users/2/tokens/5': () => {
        tokens = [{ ...tokens[0]!, active: false, revoked_at: '2026-11-26T00:00:00Z' }, tokens[1]!]
        return tokens[0]
      },
    })
    await wrapper.find('button[aria-label="API 令牌：zhang"]').trigger('click')
    await settle()
    const dialog = () => wrapper.find('[data-testid="user-tokens"]')
    expect(dialog().attributes('role')).toBe('dialog')
    expect(dialog().find('h2').text()).toBe('张三 的 API 令牌')
    expect(calls.some((c) => c.method === 'GET' && c.path === '/api/users/2/tokens')).toBe(true)
    const rows = () => dialog().findAll('[data-testid="token-table"] tbody tr')
    expect(rows()).toHaveLength(1)
    expect(rows()[0]?.text()).toContain('旧导入脚本')
    expect(rows()[0]?.text()).toContain('kb_zz99…')
    expect(rows()[0]?.text()).toContain('2027-02-01')
    expect(rows()[0]?.text()).toContain('2026-11-20')
    // Focus starts in the dialog's first field.
    expect(document.activeElement?.id).toBe('ut-2-name')

    await dialog().find('#ut-2-name').setValue('夜间同步')
    await dialog().find('#ut-2-days').setValue('30')
    await dialog().find('form.token-form').trigger('submit')
    await settle()
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.path).toBe('/api/users/2/tokens')
    expect(post?.body).toEqual({ name: '夜间同步', expires_in_days: 30 })
    const created = dialog().find('[data-testid="token-created"]')
    expect(created.text()).toContain('已为 zhang 创建令牌。它只显示这一次')
    expect((created.find('[data-testid="token-value"]').element as HTMLInputElement).value).toBe('kb_for_zhang_secret')
    await created.find('button').trigger('click')
    await settle()
    expect(writeText).toHaveBeenCalledWith('kb_for_zhang_secret')
    expect(rows()).toHaveLength(2)
    await dialog().find('[data-testid="token-dismiss"]').trigger('click')
    expect(wrapper.text()).not.toContain('kb_for_zhang_secret')

    // Revoking asks first; declined, nothing is sent.
    await dialog().find('button[aria-label="撤销 旧导入脚本"]').trigger('click')
    expect(confirm).toHaveBeenCalledWith('确定撤销 zhang 的令牌“旧导入脚本”？撤销后使用它的脚本将无法访问。')
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false)
    confirm.mockReturnValue(true)
    await dialog().find('button[aria-label="撤销 旧导入脚本"]').trigger('click')
    await settle()
    const del = calls.find((c) => c.method === 'DELETE')
    expect(del?.path).toBe('/api/users/2/tokens/5')
    expect(del?.headers['X-CSRF-Token']).toBe('csrf-123')
    expect(rows()[0]?.text()).toContain('已撤销')
    expect(rows()[0]?.find('button').exists()).toBe(false)

    // Escape closes the dialog.
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await settle()
    expect(dialog().exists()).toBe(false)
  })

  it("shows the server's reason when a token cannot be created, and checks the days first", async () => {
    const { wrapper, calls } = await mountUsers({
      'GET /api/users': [user(1, 'admin'), user(2, 'zhang')],
      'GET /api/users/2/tokens': [],
      'POST /api/users/2/tokens': { status: 404, body: { detail: '用户不存在：2', code: 'not_found' } },
    })
    await wrapper.find('button[aria-label="API 令牌：zhang"]').trigger('click')
    await settle()
    const dialog = wrapper.find('[data-testid="user-tokens"]')
    expect(dialog.text()).toContain('还没有 API 令牌')
    await dialog.find('#ut-2-name').setValue('脚本')
    await dialog.find('#ut-2-days').setValue('0')
    await dialog.find('form.token-form').trigger('submit')
    expect(dialog.find('[data-testid="token-error"]').text()).toContain('1 到 3650')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
    await dialog.find('#ut-2-days').setValue('')
    await dialog.find('form.token-form').trigger('submit')
    await settle()
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: '脚本', expires_in_days: null })
    expect(dialog.find('[data-testid="token-error"]').text()).toBe('用户不存在：2')
    expect(dialog.find('[data-testid="token-created"]').exists()).toBe(false)
  })
})
