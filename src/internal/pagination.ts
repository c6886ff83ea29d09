/**
 * Offset pagination as a lazy Stream of pages. A page is fetched only when the consumer pulls past
 * the previous one, and reading stops from `total_count` and short pages, so it never asks for a
 * page past the end.
 *
 * Offsets move when the collection changes under the reader. Two cheap guards keep the output
 * honest without remembering every id: keys the previous page already yielded are dropped (an
 * insert before the offset shifts them into the next page), and when `total_count` shrinks the
 * next page is re-read from further back (a delete before the offset would otherwise skip keys).
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { ByokKeyPage } from "../ByokKey.js"

/** Fetches one page at an offset; the caller fixes the filters and the page size. */
export type FetchPage<E> = (offset: number) => Effect.Effect<ByokKeyPage, E>

interface Cursor {
  readonly offset: number
  /** Ids of the last page yielded. */
  readonly previousIds: ReadonlySet<string>
  /** Where the last page yielded started: a re-read never goes back further. */
  readonly previousOffset: number
  /** The `total_count` the last page reported. */
  readonly total: number
}

const noIds: ReadonlySet<string> = new Set()

/** Drops the keys the previous page already yielded. */
const withoutRepeats = (page: ByokKeyPage, previousIds: ReadonlySet<string>): ByokKeyPage => {
  if (previousIds.size === 0 || !page.data.some((key) => previousIds.has(key.id))) return page
  return { ...page, data: page.data.filter((key) => !previousIds.has(key.id)) }
}

const idsOf = (page: ByokKeyPage): ReadonlySet<string> => new Set(page.data.map((key) => key.id))

/** Empty, short, or reaching `total_count`: the last page. */
const isLastPage = (page: ByokKeyPage, pageSize: number) =>
  page.data.length === 0 || page.data.length < pageSize || page.offset + page.data.length >= page.totalCount

const after = (page: ByokKeyPage): Cursor => ({
  offset: page.offset + page.data.length,
  previousIds: idsOf(page),
  previousOffset: page.offset,
  total: page.totalCount
})

/**
 * One page after another from `from`, each fetched when the consumer needs it. A step whose page
 * shows the total shrank yields nothing and re-reads from up to one page further back; the total
 * can only shrink so often, so reading still ends.
 */
const sequentialPages = <E>(fetchPage: FetchPage<E>, pageSize: number, from: Cursor): Stream.Stream<ByokKeyPage, E> =>
  Stream.paginateChunkEffect(from, (cursor) =>
    Effect.map(fetchPage(cursor.offset), (page) => {
      const shrunk = cursor.total - page.totalCount
      if (shrunk > 0 && cursor.offset > 0) {
        const back = Math.max(cursor.offset - Math.min(shrunk, pageSize), cursor.previousOffset)
        return [Chunk.empty(), Option.some({ ...cursor, offset: back, total: page.totalCount })] as const
      }
      const next = isLastPage(page, pageSize) ? Option.none() : Option.some(after(page))
      return [Chunk.of(withoutRepeats(page, cursor.previousIds)), next] as const
    }))

/**
 * All pages. With `concurrency` above 1, the first page tells `total_count`; then up to
 * `concurrency` of the following pages are fetched at once and emitted in offset order. A page
 * that shows the collection changed (another total, or a short page before the end) is dropped
 * with the rest of the plan, and reading goes on one page at a time from its offset.
 */
export const paginate = <E>(
  fetchPage: FetchPage<E>,
  pageSize: number,
  concurrency: number
): Stream.Stream<ByokKeyPage, E> => {
  const start: Cursor = { offset: 0, previousIds: noIds, previousOffset: 0, total: 0 }
  if (concurrency <= 1) return sequentialPages(fetchPage, pageSize, start)

  return Stream.unwrap(Effect.map(fetchPage(0), (first) => {
    if (isLastPage(first, pageSize)) return Stream.make(first)
    const total = first.totalCount
    const offsets: Array<number> = []
    for (let offset = pageSize; offset < total; offset += pageSize) offsets.push(offset)

    // The cursor after the last page emitted; where sequential reading resumes if the plan breaks.
    let cursor = after(first)
    let broken = false
    const planned = Stream.fromIterable(offsets).pipe(
      Stream.mapEffect(fetchPage, { concurrency }),
      Stream.takeWhile((page) => {
        const expectedLength = Math.min(pageSize, total - page.offset)
        broken = page.totalCount !== total || page.data.length !== expectedLength
        return !broken
      }),
      Stream.map((page) => {
        const out = withoutRepeats(page, cursor.previousIds)
        cursor = after(page)
        return out
      })
    )
    return Stream.make(first).pipe(
      Stream.concat(planned),
      Stream.concat(Stream.suspend(() =>
        // Re-read the page that broke the plan; `total` as planned, so a shrink is seen and handled.
        broken ? sequentialPages(fetchPage, pageSize, { ...cursor, total }) : Stream.empty
      ))
    )
  }))
}
