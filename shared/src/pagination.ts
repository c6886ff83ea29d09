/**
 * The decisions of offset pagination, apart from any Stream: when a page is the last, what to emit
 * of it, and where the next one starts. Each line's `internal/pagination.ts` drives these with its
 * own `Stream`.
 *
 * Offsets move when the collection changes under the reader. Two cheap guards keep the output
 * honest without remembering every id: keys the previous page already yielded are dropped (an
 * insert before the offset shifts them into the next page), and when `total_count` shrinks the
 * next page is re-read from further back (a delete before the offset would otherwise skip keys).
 */

/** A page as pagination sees it. */
export interface Page {
  readonly data: ReadonlyArray<{ readonly id: string }>
  readonly totalCount: number
  readonly offset: number
  readonly limit: number
}

/** Where reading stands after the last page emitted. */
export interface Cursor {
  readonly offset: number
  /** Ids of the last page yielded. */
  readonly previousIds: ReadonlySet<string>
  /** Where the last page yielded started: a re-read never goes back further. */
  readonly previousOffset: number
  /** The `total_count` the last page reported. */
  readonly total: number
}

/** Before the first page. */
export const start: Cursor = { offset: 0, previousIds: new Set(), previousOffset: 0, total: 0 }

/** Empty, short, or reaching `total_count`: the last page. */
export const isLastPage = (page: Page, pageSize: number): boolean =>
  page.data.length === 0 || page.data.length < pageSize || page.offset + page.data.length >= page.totalCount

/** The page without the keys the previous page already yielded. */
export const withoutRepeats = <P extends Page>(page: P, previousIds: ReadonlySet<string>): P => {
  if (previousIds.size === 0 || !page.data.some((key) => previousIds.has(key.id))) return page
  return { ...page, data: page.data.filter((key) => !previousIds.has(key.id)) }
}

/** The cursor after emitting `page`. */
export const after = (page: Page): Cursor => ({
  offset: page.offset + page.data.length,
  previousIds: new Set(page.data.map((key) => key.id)),
  previousOffset: page.offset,
  total: page.totalCount
})

/** One sequential step: the page to emit (if any) and the cursor to read from next (none at the end). */
export interface Step<P> {
  readonly emit: P | undefined
  readonly next: Cursor | undefined
}

/**
 * What to do with the page read at `cursor`. A page showing the total shrank is not emitted: the
 * next read starts up to one page further back. The total can only shrink so often, so reading ends.
 */
export const step = <P extends Page>(cursor: Cursor, page: P, pageSize: number): Step<P> => {
  const shrunk = cursor.total - page.totalCount
  if (shrunk > 0 && cursor.offset > 0) {
    const back = Math.max(cursor.offset - Math.min(shrunk, pageSize), cursor.previousOffset)
    return { emit: undefined, next: { ...cursor, offset: back, total: page.totalCount } }
  }
  return {
    emit: withoutRepeats(page, cursor.previousIds),
    next: isLastPage(page, pageSize) ? undefined : after(page)
  }
}

/** The offsets of the pages after the first, as its `total_count` plans them. */
export const plannedOffsets = (total: number, pageSize: number): Array<number> => {
  const offsets: Array<number> = []
  for (let offset = pageSize; offset < total; offset += pageSize) offsets.push(offset)
  return offsets
}

/** Whether a page fetched by plan shows the collection changed: another total, or not the length planned. */
export const breaksPlan = (page: Page, total: number, pageSize: number): boolean =>
  page.totalCount !== total || page.data.length !== Math.min(pageSize, total - page.offset)
