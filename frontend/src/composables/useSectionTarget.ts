// The section a URL points at on an entry page — `#sec-N` (N = index in `sections`, as the API's `section_index`)
// or `?article=第X条` (a search hit of a law) — scrolled to and focused once the entry has loaded and rendered.
// The router's own hash scrolling runs before an asynchronously loaded page has its sections, so the view does it.

import { computed, nextTick, watch } from 'vue'
import type { ComputedRef, Ref } from 'vue'
import { useRoute } from 'vue-router'

import { sectionIndexFromHash } from '@/utils/provisions'

export interface TargetableSection {
  index: number
  anchor: string
  heading: string | null
}

export function useSectionTarget(
  sections: Ref<readonly TargetableSection[]>,
  loadedKey: Ref<string | null>,
): ComputedRef<string | null> {
  const route = useRoute()

  const target = computed<string | null>(() => {
    const list = sections.value
    const index = sectionIndexFromHash(route.hash)
    if (index !== null) return list.find((s) => s.index === index)?.anchor ?? null
    const article = typeof route.query.article === 'string' ? route.query.article.trim() : ''
    if (article) return list.find((s) => (s.heading ?? '').trim() === article)?.anchor ?? null
    return null
  })

  watch(
    [target, loadedKey],
    async ([anchor, key]) => {
      if (!anchor || !key) return
      await nextTick()
      const el = document.getElementById(anchor)
      if (!el) return
      el.scrollIntoView?.({ block: 'start' })
      // Keyboard and screen-reader users continue from the article they followed a link to.
      el.focus?.({ preventScroll: true })
    },
    { immediate: true },
  )

  return target
}
