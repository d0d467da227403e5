// Split a passage into plain and highlighted segments from [start, end) character offsets.
// Offsets count Unicode code points (as Python's str does), not UTF-16 units, so CJK extension characters
// outside the BMP do not shift the marks. Offsets out of range, reversed or overlapping are repaired.

import type { Span } from '@/api/types'

export interface Segment {
  text: string
  mark: boolean
}

export function normalizeSpans(spans: readonly Span[] | null | undefined, length: number): Span[] {
  if (!spans) return []
  const clean: Span[] = []
  for (const span of spans) {
    if (!Array.isArray(span) || span.length < 2) continue
    let [start, end] = span
    if (!Number.isFinite(start) || !Number.isFinite(end)) continue
    start = Math.max(0, Math.min(length, Math.trunc(start)))
    end = Math.max(0, Math.min(length, Math.trunc(end)))
    if (end < start) [start, end] = [end, start]
    if (end > start) clean.push([start, end])
  }
  clean.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const merged: Span[] = []
  for (const span of clean) {
    const last = merged[merged.length - 1]
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1])
    else merged.push([span[0], span[1]])
  }
  return merged
}

export function segmentText(text: string, spans: readonly Span[] | null | undefined): Segment[] {
  const chars = Array.from(text ?? '')
  const merged = normalizeSpans(spans, chars.length)
  const segments: Segment[] = []
  let pos = 0
  for (const [start, end] of merged) {
    if (start > pos) segments.push({ text: chars.slice(pos, start).join(''), mark: false })
    segments.push({ text: chars.slice(start, end).join(''), mark: true })
    pos = end
  }
  if (pos < chars.length || segments.length === 0) segments.push({ text: chars.slice(pos).join(''), mark: false })
  return segments
}
