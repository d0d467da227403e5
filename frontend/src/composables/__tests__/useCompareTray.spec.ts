import { describe, expect, it } from 'vitest'

import { COMPARE_MAX, createCompareTray } from '@/composables/useCompareTray'

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial))
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    data,
  }
}

const item = (n: number) => ({ id: `c${n}`, title: `案例${n}` })

describe('compare tray', () => {
  it('needs two entries before comparing and holds at most four', () => {
    const tray = createCompareTray()
    expect(tray.canCompare.value).toBe(false)
    tray.add(item(1))
    expect(tray.canCompare.value).toBe(false)
    tray.add(item(2))
    expect(tray.canCompare.value).toBe(true)
    tray.add(item(3))
    expect(tray.add(item(4))).toBe(true)
    expect(tray.isFull.value).toBe(true)
    expect(tray.add(item(5))).toBe(false)
    expect(tray.count.value).toBe(COMPARE_MAX)
    expect(tray.has('c5')).toBe(false)
  })

  it('ignores duplicates and toggles entries in and out', () => {
    const tray = createCompareTray()
    tray.add(item(1))
    tray.add(item(1))
    expect(tray.count.value).toBe(1)
    tray.toggle(item(1))
    expect(tray.count.value).toBe(0)
    tray.toggle(item(2))
    expect(tray.has('c2')).toBe(true)
  })

  it('frees a slot when an entry is removed from a full tray', () => {
    const tray = createCompareTray()
    for (let n = 1; n <= 4; n++) tray.add(item(n))
    tray.remove('c2')
    expect(tray.isFull.value).toBe(false)
    expect(tray.add(item(5))).toBe(true)
    expect(tray.items.map((i) => i.id)).toEqual(['c1', 'c3', 'c4', 'c5'])
  })

  it('builds the compare route with repeated ids', () => {
    const tray = createCompareTray()
    tray.add(item(1))
    tray.add(item(2))
    expect(tray.compareRoute.value).toEqual({ name: 'compare', query: { ids: ['c1', 'c2'] } })
  })

  it('persists to storage and ignores corrupt or oversized stored data', () => {
    const storage = memoryStorage()
    const tray = createCompareTray(storage)
    tray.add(item(1))
    tray.add(item(2))
    expect(createCompareTray(storage).items.map((i) => i.id)).toEqual(['c1', 'c2'])
    tray.clear()
    expect(createCompareTray(storage).count.value).toBe(0)

    const corrupt = memoryStorage({ 'kb.compareTray': '{not json' })
    expect(createCompareTray(corrupt).count.value).toBe(0)
    const tooMany = memoryStorage({ 'kb.compareTray': JSON.stringify([1, 2, 3, 4, 5, 6].map(item)) })
    expect(createCompareTray(tooMany).count.value).toBe(COMPARE_MAX)
  })
})
