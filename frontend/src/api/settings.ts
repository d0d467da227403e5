// 系统设置: the settings an administrator changes at run time (api/routes/settings.py). Loaded with the page.

import { request } from './client'
import type { SettingsList, SettingsUpdate } from './types'

export function getSettings(signal?: AbortSignal): Promise<SettingsList> {
  return request<SettingsList>('/settings', { signal })
}

/** Changes take effect at once; a bad value is refused with 422 and a Chinese `detail` (nothing is changed then). */
export function updateSettings(values: SettingsUpdate['values']): Promise<SettingsList> {
  return request<SettingsList>('/settings', { method: 'PUT', json: { values } satisfies SettingsUpdate })
}
