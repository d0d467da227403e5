// Which version of an entry is the latest, which one readers get by default, and which one to name in exports.

import { computed } from 'vue'
import type { ComputedRef, Ref } from 'vue'

import type { EntryDetail, EntryVersion } from '@/api/types'

export interface EntryVersions {
  latestVersion: ComputedRef<number>
  /** Readers get the published version by default; a later working version (draft, under review) is for staff. */
  defaultVersion: ComputedRef<number>
  /** The version to name in exports and collections when it is not the default one. */
  pinnedVersion: ComputedRef<number | null>
  /** Newest first. */
  versions: ComputedRef<EntryVersion[]>
}

export function useEntryVersions(entry: Ref<EntryDetail | null>): EntryVersions {
  const latestVersion = computed(
    () =>
      entry.value?.current_version ??
      Math.max(entry.value?.version ?? 0, ...(entry.value?.versions ?? []).map((v) => v.version)),
  )
  const defaultVersion = computed(() => entry.value?.published_version ?? latestVersion.value)
  const pinnedVersion = computed(() =>
    entry.value && entry.value.version !== defaultVersion.value ? entry.value.version : null,
  )
  const versions = computed(() => [...(entry.value?.versions ?? [])].sort((a, b) => b.version - a.version))
  return { latestVersion, defaultVersion, pinnedVersion, versions }
}
