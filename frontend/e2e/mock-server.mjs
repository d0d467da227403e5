#!/usr/bin/env node
// A small in-memory implementation of the kb HTTP API contract (.briefs/api_contract.md) for frontend
// development and for running the e2e journeys without the Python backend. It also serves ../dist with an
// SPA fallback, like the real server does. Usage: node e2e/mock-server.mjs [port]   (default 5199)

import { createHash } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { dirname, extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'

import { ENTRIES, GUIDELINES, POWER_ITEMS } from './mock-data.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const DIST = join(here, '..', 'dist')
const MAX_UPLOAD = 10 * 1024 * 1024
const FACET_FIELDS = ['line', 'case_type', 'charges', 'outcomes', 'stage', 'issuer', 'year', 'kind', 'region']
const LIST_FIELDS = new Set(['charges', 'outcomes', 'provisions', 'keywords'])
const LINES = ['刑事检察', '民事检察', '行政检察', '公益诉讼检察']
const SECTION_LABELS = {
  keywords: '关键词',
  gist: '要旨',
  facts: '基本案情',
  process: '检察机关履职过程',
  result: '处理结果',
  reasoning: '裁判理由',
  significance: '指导意义',
  provisions: '相关规定',
  warning: '警示',
  article: '条文',
  item: '事项',
  body: '正文',
}

// ---- store ---------------------------------------------------------------------------------------------

/** id -> list of versions (EntryDetail without `versions`), oldest first. */
const store = new Map()

function hashOf(entry) {
  const { versions: _v, version: _n, source: _s, created_at: _c, content_hash: _h, ...rest } = entry
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex')
}

function put(entry, createdAt = new Date().toISOString()) {
  const versions = store.get(entry.id) ?? []
  const content_hash = hashOf(entry)
  const last = versions[versions.length - 1]
  if (last && last.content_hash === content_hash) return 'unchanged'
  versions.push({ ...entry, version: versions.length + 1, created_at: createdAt, content_hash })
  store.set(entry.id, versions)
  return versions.length === 1 ? 'created' : 'updated'
}

for (const e of [...ENTRIES, ...GUIDELINES, ...POWER_ITEMS]) put(e, '2024-01-01T08:00:00')
// A revised case, so the versions list and ?version=N have something to show.
{
  const revised = structuredClone(ENTRIES[0])
  revised.sections[0].text += '对于此类案件，应当同时做好行政处罚的衔接。'
  put(revised, '2024-06-01T09:30:00')
}

function latest(id) {
  const versions = store.get(id)
  return versions ? versions[versions.length - 1] : null
}

function allLatest() {
  return [...store.keys()].map(latest)
}

function detail(id, version) {
  const versions = store.get(id)
  if (!versions) return null
  const v = version ? versions[version - 1] : versions[versions.length - 1]
  if (!v) return null
  const { content_hash: _h, created_at: _c, ...rest } = v
  return {
    ...rest,
    sections: rest.sections.map((s) => ({ ...s, label: s.label ?? SECTION_LABELS[s.key] ?? s.key })),
    versions: versions.map((x) => ({
      version: x.version,
      created_at: x.created_at,
      content_hash: x.content_hash,
      source: x.source ?? null,
    })),
  }
}

function yearOf(e) {
  return e.publish_date ? e.publish_date.slice(0, 4) : null
}

function summary(e) {
  return {
    id: e.id,
    kind: e.kind,
    title: e.title,
    number: e.number,
    case_type: e.case_type,
    line: e.line,
    sub_line: e.sub_line,
    issuer: e.issuer,
    publish_date: e.publish_date,
    year: e.publish_date ? Number(yearOf(e)) : null,
    region: e.region,
    stage: e.stage,
    charges: e.charges,
    outcomes: e.outcomes,
    provisions: e.provisions,
    keywords: e.keywords,
    power_subject: e.power_subject,
    error_type: e.error_type,
    misused_power: e.misused_power,
    illustrative: e.illustrative,
  }
}

// ---- search --------------------------------------------------------------------------------------------

function vocabulary(field) {
  const set = new Set()
  for (const e of allLatest()) for (const v of e[field] ?? []) set.add(v)
  return [...set]
}

function analyse(q) {
  const raw = q.split(/[\s,，。；;、：:！!？?（）()《》"“”]+/).filter(Boolean)
  const charges = vocabulary('charges').filter((c) => q.includes(c) || q.includes(c.replace(/罪$/, '')))
  const outcomes = vocabulary('outcomes').filter((o) => q.includes(o))
  const keywords = vocabulary('keywords').filter((k) => q.includes(k))
  const long = Array.from(q).length > 100
  let tokens = raw.filter((t) => !long || Array.from(t).length <= 12)
  if (long || tokens.length === 0) {
    tokens = [...new Set([...tokens, ...keywords, ...charges.map((c) => c.replace(/罪$/, ''))])]
  }
  const line = LINES.find((l) => q.includes(l)) ?? null
  return { tokens: [...new Set(tokens)], charges, outcomes, line, long_query: long, inferred_charges: [], inferred_reach: null }
}

function countOccurrences(text, token) {
  if (!token) return 0
  let n = 0
  let i = text.indexOf(token)
  while (i >= 0) {
    n++
    i = text.indexOf(token, i + token.length)
  }
  return n
}

function fieldValues(e, field) {
  if (field === 'year') return yearOf(e) ? [yearOf(e)] : []
  const v = e[field]
  if (Array.isArray(v)) return v
  return v === null || v === undefined ? [] : [String(v)]
}

function matchesFilters(e, filters, except = null) {
  for (const [field, values] of Object.entries(filters)) {
    if (field === except || !values || values.length === 0) continue
    const have = fieldValues(e, field)
    if (!values.some((v) => have.includes(v))) return false
  }
  return true
}

const cp = (text) => Array.from(text)

function bestPassage(e, tokens) {
  let best = null
  for (const s of e.sections) {
    const score = tokens.reduce((n, t) => n + countOccurrences(s.text, t), 0)
    if (!best || score > best.score) best = { section: s, score }
  }
  const section = best?.section ?? { key: 'body', text: '' }
  let start = 0
  const first = tokens.map((t) => section.text.indexOf(t)).filter((i) => i >= 0)
  if (first.length) start = Math.max(0, cp(section.text.slice(0, Math.min(...first))).length - 40)
  const passage = cp(section.text).slice(start, start + 300).join('')
  const highlights = []
  for (const t of tokens) {
    let i = passage.indexOf(t)
    while (i >= 0) {
      const s = cp(passage.slice(0, i)).length
      highlights.push([s, s + cp(t).length])
      i = passage.indexOf(t, i + t.length)
    }
  }
  highlights.sort((a, b) => a[0] - b[0])
  return { section, passage, highlights, score: best?.score ?? 0 }
}

function reasonsFor(e, analysis) {
  const reasons = []
  for (const c of e.charges) if (analysis.charges.includes(c)) reasons.push({ kind: 'charge', value: c, label: `同罪名：${c}` })
  for (const o of e.outcomes) if (analysis.outcomes.includes(o)) reasons.push({ kind: 'outcome', value: o, label: `同处理结果：${o}` })
  if (analysis.line && e.line === analysis.line) reasons.push({ kind: 'line', value: e.line, label: `同检察类别：${e.line}` })
  for (const k of e.keywords) {
    if (analysis.tokens.some((t) => k.includes(t) || t.includes(k))) reasons.push({ kind: 'keyword', value: k, label: `关键词：${k}` })
  }
  return reasons.slice(0, 5)
}

function runSearch({ q = '', page = 1, page_size = 10, sort = 'relevance', filters = {} }) {
  const started = performance.now()
  q = String(q ?? '').trim()
  const f = { ...filters }
  if (!f.kind || f.kind.length === 0) f.kind = ['case']
  if (!q && Object.keys(filters).every((k) => !filters[k]?.length)) {
    return { status: 422, body: problem(422, 'empty_query', '请输入检索内容或选择筛选条件。') }
  }
  const analysis = analyse(q)
  const scored = []
  for (const e of allLatest()) {
    let score = 1
    let info = { section: e.sections[0] ?? { key: 'body', text: '' }, passage: '', highlights: [] }
    if (q) {
      info = bestPassage(e, analysis.tokens)
      const titleHits = analysis.tokens.reduce((n, t) => n + countOccurrences(e.title, t), 0)
      const chargeHits = e.charges.filter((c) => analysis.charges.includes(c)).length
      score = info.score + titleHits * 2 + chargeHits * 3
      if (score <= 0) continue
    } else {
      info = { ...info, passage: cp(info.section.text).slice(0, 200).join(''), highlights: [] }
    }
    scored.push({ e, score, info })
  }
  const hitsAll = scored.filter((s) => matchesFilters(s.e, f))
  if (sort === 'date') hitsAll.sort((a, b) => String(b.e.publish_date).localeCompare(String(a.e.publish_date)))
  else hitsAll.sort((a, b) => b.score - a.score || a.e.title.localeCompare(b.e.title))
  const facets = {}
  for (const field of FACET_FIELDS) {
    const counts = new Map()
    for (const s of scored) {
      if (!matchesFilters(s.e, f, field)) continue
      for (const v of fieldValues(s.e, field)) counts.set(v, (counts.get(v) ?? 0) + 1)
    }
    facets[field] = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([value, count]) => ({ value, count }))
  }
  const max = Math.max(1, ...hitsAll.map((s) => s.score))
  const from = (page - 1) * page_size
  const hits = hitsAll.slice(from, from + page_size).map(({ e, score, info }) => ({
    ...summary(e),
    score: q ? score / max : 0,
    section: info.section.key,
    section_label: SECTION_LABELS[info.section.key] ?? info.section.key,
    passage: info.passage,
    highlights: info.highlights,
    reasons: q ? reasonsFor(e, analysis) : [],
  }))
  const took = Math.round((performance.now() - started) * 100) / 100 + 3
  return { status: 200, body: { query: q, total: hitsAll.length, page, page_size, took_ms: took, analysis, hits, facets } }
}

// ---- ingest --------------------------------------------------------------------------------------------

function parseMultipart(buffer, contentType) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '')
  if (!m) return []
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`)
  const parts = []
  let pos = buffer.indexOf(boundary)
  while (pos >= 0) {
    const next = buffer.indexOf(boundary, pos + boundary.length)
    if (next < 0) break
    const part = buffer.subarray(pos + boundary.length + 2, next - 2)
    const headerEnd = part.indexOf('\r\n\r\n')
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('utf8')
      const name = /name="([^"]*)"/.exec(headers)?.[1]
      const filename = /filename="([^"]*)"/.exec(headers)?.[1]
      if (name === 'files' && filename !== undefined) parts.push({ filename, data: part.subarray(headerEnd + 4) })
    }
    pos = next
  }
  return parts
}

const SECTION_KEYS = {
  要旨: 'gist',
  基本案情: 'facts',
  检察机关履职过程: 'process',
  指导意义: 'significance',
  典型意义: 'significance',
  相关规定: 'provisions',
  关键词: 'keywords',
}

function entryFromText(name, text) {
  const lines = text.split(/\r?\n/).map((l) => l.trim())
  const title = (lines.find((l) => l) ?? '').replace(/^#+\s*/, '')
  const sections = []
  const re = /【([^】]+)】([^【]*)/g
  let keywords = []
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const label = m[1].trim()
    const body = m[2].trim()
    if (label === '关键词') keywords = body.split(/[\s,，、]+/).filter(Boolean)
    sections.push({ key: SECTION_KEYS[label] ?? 'body', label, heading: `【${label}】`, text: body, path: [] })
  }
  if (!sections.length) sections.push({ key: 'body', label: '正文', heading: '正文', text: lines.slice(1).join('\n'), path: [] })
  return {
    id: createHash('sha1').update(`case|${title}`).digest('hex').slice(0, 16),
    kind: 'case',
    title,
    number: null,
    case_type: '典型案例',
    line: LINES.find((l) => text.includes(l)) ?? '刑事检察',
    sub_line: null,
    issuer: null,
    publish_date: new Date().toISOString().slice(0, 10),
    batch: null,
    region: null,
    stage: null,
    keywords,
    charges: vocabulary('charges').filter((c) => text.includes(c)),
    outcomes: vocabulary('outcomes').filter((o) => text.includes(o)),
    provisions: [],
    error_type: null,
    misused_power: null,
    consequence: null,
    power_subject: null,
    basis: null,
    note: null,
    source: name,
    illustrative: true,
    sections,
  }
}

function ingestFile({ filename, data }) {
  const ext = extname(filename).toLowerCase()
  const fail = (code, msg) => ({ name: filename, status: 'failed', entries: [], error: problem(422, code, msg) })
  if (!['.txt', '.md', '.markdown'].includes(ext)) {
    if (['.docx', '.pdf', '.json', '.jsonl', '.xlsx', '.csv', '.html'].includes(ext)) {
      return fail('unsupported_in_mock', `模拟服务器不解析“${filename}”这种格式，请使用真实后端。`)
    }
    return fail('unsupported_format', `不支持的文件类型：“${filename}”。支持 .docx、.pdf、.md、.txt、.json、.xlsx 等格式。`)
  }
  const text = data.toString('utf8')
  if (!text.trim()) return fail('empty_file', `文件“${filename}”为空，未导入任何内容。`)
  if (text.includes('\uFFFD')) return fail('bad_encoding', `文件“${filename}”不是有效的 UTF-8 或 GBK 文本。`)
  const entry = entryFromText(filename, text)
  if (!entry.title) return fail('parse_error', `无法从“${filename}”中识别标题。`)
  const status = put(entry)
  return {
    name: filename,
    status,
    entries: [{ id: entry.id, title: entry.title, kind: entry.kind, number: entry.number, status }],
    error: null,
  }
}

// ---- http ----------------------------------------------------------------------------------------------

function problem(status, code, detail, extra = {}) {
  const titles = { 404: 'Not found', 413: 'Payload too large', 422: 'Invalid request', 503: 'Service unavailable' }
  return {
    type: `/errors/${code}`,
    title: titles[status] ?? 'Error',
    status,
    detail,
    instance: null,
    code,
    request_id: createHash('md5').update(String(Math.random())).digest('hex').slice(0, 12),
    ...extra,
  }
}

function send(res, status, body) {
  res.writeHead(status, {
    'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  })
  res.end(JSON.stringify(body))
}

async function readBody(req, limit = MAX_UPLOAD * 4) {
  const chunks = []
  let size = 0
  for await (const chunk of req) {
    size += chunk.length
    if (size > limit) throw Object.assign(new Error('too large'), { tooLarge: true })
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

function filtersFrom(params) {
  const filters = {}
  for (const field of FACET_FIELDS) {
    const values = params.getAll(field).filter(Boolean)
    if (values.length) filters[field] = values
  }
  return filters
}

const countBy = (list, key) => list.reduce((acc, e) => (e[key] ? { ...acc, [e[key]]: (acc[e[key]] ?? 0) + 1 } : acc), {})
const chunkCount = (list) => list.reduce((n, e) => n + e.sections.length, 0)
const COMPARE_FIELDS = [
  ['charges', '罪名/案由'],
  ['outcomes', '处理结果'],
  ['provisions', '引用条文'],
  ['line', '检察类别'],
  ['case_type', '案例类型'],
  ['stage', '办案环节'],
  ['keywords', '关键词'],
  ['issuer', '发布机关'],
  ['year', '年份'],
]

function related(d) {
  const text = [d.title, ...d.sections.map((s) => s.text)].join('\n')
  const power_items = allLatest()
    .filter(
      (e) =>
        e.kind === 'power_item' &&
        (!d.line || e.line === d.line) &&
        (text.includes(e.title.replace(/^决定/, '')) || d.outcomes.some((o) => e.title.includes(o))),
    )
    .slice(0, 4)
    .map((e) => ({ ...summary(e), basis: e.basis, note: e.note }))
  const guideline_articles = []
  for (const g of allLatest().filter((e) => e.kind === 'guideline' && e.line === d.line)) {
    for (const s of g.sections) {
      const score = [...d.keywords, ...d.outcomes].reduce((n, k) => n + countOccurrences(s.text, k.replace(/罪$/, '')), 0)
      if (score > 0) guideline_articles.push({ entry_id: g.id, title: g.title, heading: s.heading, text: s.text, path: s.path, score })
    }
  }
  guideline_articles.sort((a, b) => b.score - a.score)
  return { guideline_articles: guideline_articles.slice(0, 4), power_items }
}

async function handleApi(req, res, url) {
  const path = url.pathname.replace(/\/+$/, '')
  const p = url.searchParams
  const delay = Number(process.env.MOCK_DELAY_MS ?? 0)
  if (delay) await new Promise((r) => setTimeout(r, delay))

  if (path === '/api/auth/me') {
    // The mock has no accounts: an anonymous caller with the reading and import permissions.
    return send(res, 200, {
      authenticated: false,
      via: 'anonymous',
      user: null,
      roles: [{ code: 'prosecutor', label: '检察官' }],
      permissions: ['search', 'entries:read', 'entries:export', 'entries:import'],
      csrf_token: null,
      anonymous_access: true,
    })
  }
  if (path === '/api/health') {
    const all = allLatest()
    return send(res, 200, { status: 'ok', store: 'sqlite', store_ok: true, embedder: null, entries: all.length, chunks: chunkCount(all), version: 'mock' })
  }
  if (path === '/api/stats') {
    const all = allLatest()
    return send(res, 200, { entries_by_kind: countBy(all, 'kind'), chunks: chunkCount(all), by_line: countBy(all, 'line'), by_case_type: countBy(all, 'case_type') })
  }
  if (path === '/api/search' && req.method === 'GET') {
    const r = runSearch({
      q: p.get('q') ?? '',
      page: Math.max(1, Number(p.get('page') ?? 1) || 1),
      page_size: Math.min(100, Number(p.get('page_size') ?? 10) || 10),
      sort: p.get('sort') === 'date' ? 'date' : 'relevance',
      filters: filtersFrom(p),
    })
    return send(res, r.status, r.body)
  }
  if (path === '/api/search' && req.method === 'POST') {
    let body
    try {
      body = JSON.parse((await readBody(req)).toString('utf8'))
    } catch {
      return send(res, 422, problem(422, 'validation_error', '请求体不是有效的 JSON。'))
    }
    const r = runSearch({ q: body.q ?? '', page: body.page ?? 1, page_size: body.page_size ?? 10, sort: body.sort ?? 'relevance', filters: body.filters ?? {} })
    return send(res, r.status, r.body)
  }
  if (path === '/api/entries') {
    const kind = p.get('kind')
    let items = allLatest().filter(
      (e) => (!kind || e.kind === kind) && (!p.get('line') || e.line === p.get('line')) && (!p.get('stage') || e.stage === p.get('stage')),
    )
    if (p.get('sort') === 'date') items.sort((a, b) => String(b.publish_date).localeCompare(String(a.publish_date)))
    else items.sort((a, b) => a.title.localeCompare(b.title, 'zh-CN'))
    const page = Math.max(1, Number(p.get('page') ?? 1) || 1)
    const size = Math.min(500, Number(p.get('page_size') ?? 50) || 50)
    const total = items.length
    // basis/note are not in the contract's EntrySummary; the frontend asks for them for power items (see report).
    items = items
      .slice((page - 1) * size, page * size)
      .map((e) => (e.kind === 'power_item' ? { ...summary(e), basis: e.basis, note: e.note } : summary(e)))
    return send(res, 200, { total, page, page_size: size, items })
  }
  const m = /^\/api\/entries\/([^/]+)(?:\/(similar|related))?$/.exec(path)
  if (m) {
    const id = decodeURIComponent(m[1])
    const d = detail(id, p.get('version') ? Number(p.get('version')) : null)
    if (!d) {
      const msg = store.has(id) ? `条目“${id}”没有第 ${p.get('version')} 版。` : `未找到条目“${id}”。`
      return send(res, 404, problem(404, 'entry_not_found', msg, { instance: path }))
    }
    if (m[2] === 'similar') {
      const topK = Number(p.get('top_k') ?? 5) || 5
      const q = [...d.charges, ...d.keywords].join(' ') || d.title
      const r = runSearch({ q, page: 1, page_size: topK + 1, filters: { kind: ['case'] } })
      return send(res, 200, { hits: (r.body.hits ?? []).filter((h) => h.id !== id).slice(0, topK) })
    }
    if (m[2] === 'related') return send(res, 200, related(d))
    return send(res, 200, d)
  }
  if (path === '/api/compare') {
    const ids = [...new Set(p.getAll('ids'))]
    if (ids.length < 2 || ids.length > 4) {
      return send(res, 422, problem(422, 'invalid_compare', `对比需要 2–4 个条目，收到 ${ids.length} 个。`))
    }
    const entries = ids.map((id) => detail(id))
    const missing = ids.find((_, i) => !entries[i])
    if (missing) return send(res, 404, problem(404, 'entry_not_found', `未找到条目“${missing}”。`))
    const elements = COMPARE_FIELDS.map(([field, label]) => {
      const values = entries.map((e) =>
        field === 'year' ? (yearOf(e) ? [yearOf(e)] : []) : LIST_FIELDS.has(field) ? e[field] : e[field] ? [e[field]] : [],
      )
      const keys = values.map((v) => JSON.stringify([...v].sort()))
      return { field, label, values, same: keys.every((k) => k === keys[0]) }
    })
    return send(res, 200, { entries, elements })
  }
  if (path === '/api/ingest' && req.method === 'POST') {
    let body
    try {
      body = await readBody(req)
    } catch (err) {
      if (err.tooLarge) return send(res, 413, problem(413, 'file_too_large', '上传内容超过大小限制（10 MB）。'))
      throw err
    }
    const parts = parseMultipart(body, req.headers['content-type'])
    if (!parts.length) return send(res, 422, problem(422, 'no_files', '没有收到任何文件，请选择要导入的文件。'))
    const big = parts.find((f) => f.data.length > MAX_UPLOAD)
    if (big) return send(res, 413, problem(413, 'file_too_large', `文件“${big.filename}”超过大小限制（10 MB）。`))
    const files = parts.map(ingestFile)
    const counts = { created: 0, updated: 0, unchanged: 0, failed: 0 }
    for (const f of files) counts[f.status]++
    return send(res, 200, { ok: counts.failed === 0, files, summary: counts })
  }
  return send(res, 404, problem(404, 'not_found', `接口不存在：${path}`))
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
}

function serveStatic(req, res, url) {
  if (!existsSync(DIST)) {
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' })
    res.end('dist/ is missing: run `npm run build-only` first.')
    return
  }
  const rel = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '')
  let file = join(DIST, rel)
  if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html')
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' })
  createReadStream(file).pipe(res)
}

export function startMockServer(port = 5199, host = '127.0.0.1') {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      handleApi(req, res, url).catch((err) => {
        console.error(err)
        send(res, 500, problem(500, 'internal_error', '服务器内部错误，请稍后重试。'))
      })
    } else {
      serveStatic(req, res, url)
    }
  })
  return new Promise((resolve) => {
    server.listen(port, host, () => resolve(server))
  })
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(process.argv[2] ?? process.env.MOCK_PORT ?? 5199)
  startMockServer(port).then((server) => {
    console.log(`mock kb API on http://127.0.0.1:${server.address().port}`)
  })
}
