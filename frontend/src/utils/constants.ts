import { FILTER_FIELDS, type FilterField } from '@/api/types'

/** The search box becomes a growing textarea past this many characters (or on any line break). */
export const MULTILINE_THRESHOLD = 50

/** Filters shown on the search page, in this order: every filter field /api/search accepts. */
export const DEFAULT_FACET_FIELDS: FilterField[] = [...FILTER_FIELDS]

/**
 * Facet values offered even when the results have none: the default search leaves laws out, so 法律法规 is the
 * way to search their articles.
 */
export const ALWAYS_OFFERED: Partial<Record<FilterField, readonly string[]>> = { kind: ['law'] }

/** The four procuratorial lines (四大检察). */
export const LINES = ['刑事检察', '民事检察', '行政检察', '公益诉讼检察'] as const
