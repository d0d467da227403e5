// Load data for a view: tracks loading / error / data, aborts the previous request when re-run.

import { ref, shallowRef, onBeforeUnmount } from 'vue'
import type { Ref, ShallowRef } from 'vue'

import { ApiError, isAbortError } from '@/api/client'
import { zh } from '@/locales/zh-CN'

export interface AsyncState<T> {
  data: ShallowRef<T | null>
  error: ShallowRef<ApiError | null>
  loading: Ref<boolean>
  run: () => Promise<void>
}

export function useAsync<T>(loader: (signal: AbortSignal) => Promise<T>, keepData = false): AsyncState<T> {
  const data = shallowRef<T | null>(null)
  const error = shallowRef<ApiError | null>(null)
  const loading = ref(false)
  let controller: AbortController | null = null

  async function run(): Promise<void> {
    controller?.abort()
    const ctl = new AbortController()
    controller = ctl
    loading.value = true
    error.value = null
    if (!keepData) data.value = null
    try {
      const result = await loader(ctl.signal)
      if (!ctl.signal.aborted) data.value = result
    } catch (err) {
      if (isAbortError(err) || ctl.signal.aborted) return
      error.value = err instanceof ApiError ? err : new ApiError(0, zh.common.badResponse)
    } finally {
      if (controller === ctl) loading.value = false
    }
  }

  onBeforeUnmount(() => controller?.abort())
  return { data, error, loading, run }
}
