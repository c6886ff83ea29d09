/**
 * Offset pagination as a lazy Stream of pages. A page is fetched only when the consumer pulls past
 * the previous one, and reading stops from `total_count` and short pages, so it never asks for a
 * page past the end.
 */
import { Effect, Option, Stream } from "effect"
import type { ByokKeyPage } from "../ByokKey.js"

/** Fetches one page at an offset; the caller fixes the filters and the page size. */
export type FetchPage<E> = (offset: number) => Effect.Effect<ByokKeyPage, E>

interface Cursor {
  readonly offset: number
  /** Ids of the page before, to drop a key that a concurrent insert shifted into the next page. */
  readonly previousIds: ReadonlySet<string>
}

/** Drops the keys the previous page already yielded, and returns the ids to compare the next page with. */
const withoutRepeats = (page: ByokKeyPage, previousIds: ReadonlySet<string>): ByokKeyPage => {
  if (previousIds.size === 0 || !page.data.some((key) => previousIds.has(key.id))) return page
  return { ...page, data: page.data.filter((key) => !previousIds.has(key.id)) }
}

const idsOf = (page: ByokKeyPage): ReadonlySet<string> => new Set(page.data.map((key) => key.id))

/**
 * Whether a page read at `offset` with `pageSize` is the last: empty, short, or reaching `total_count`.
 * Every continuation moves the offset forward by a full page, so reading always ends.
 */
const isLastPage = (page: ByokKeyPage, offset: number, pageSize: number) =>
  page.data.length === 0 || page.data.length < pageSize || offset + page.data.length >= page.totalCount

/** One page after another from `from`, each fetched when the consumer needs it. */
const sequentialPages = <E>(fetchPage: FetchPage<E>, pageSize: number, from: Cursor): Stream.Stream<ByokKeyPage, E> =>
  Stream.paginateEffect(from, (cursor) =>
    Effect.map(fetchPage(cursor.offset), (raw) => {
      const next: Option.Option<Cursor> = isLastPage(raw, cursor.offset, pageSize)
        ? Option.none()
        : Option.some({ offset: cursor.offset + raw.data.length, previousIds: idsOf(raw) })
      return [withoutRepeats(raw, cursor.previousIds), next] as const
    }))

/**
 * All pages. With `concurrency` above 1, the first page tells `total_count`; then up to `concurrency`
 * of the following pages are fetched at once and emitted in offset order. If a page shows that the
 * collection changed (another total, or a short page before the end), the parallel plan is dropped
 * and reading goes on one page at a time from there.
 */
export const paginate = <E>(
  fetchPage: FetchPage<E>,
  pageSize: number,
  concurrency: number
): Stream.Stream<ByokKeyPage, E> => {
  const start: Cursor = { offset: 0, previousIds: new Set() }
  if (concurrency <= 1) return sequentialPages(fetchPage, pageSize, start)

  return Stream.unwrap(Effect.map(fetchPage(0), (first) => {
    if (isLastPage(first, 0, pageSize)) return Stream.make(first)
    const total = first.totalCount
    const offsets: Array<number> = []
    for (let offset = pageSize; offset < total; offset += pageSize) offsets.push(offset)

    // Where the parallel plan stopped, if the collection changed under it; set as pages are emitted.
    let resumeFrom: Cursor | undefined = undefined
    let previousIds = idsOf(first)
    const planned = Stream.fromIterable(offsets).pipe(
      Stream.mapEffect((offset) => fetchPage(offset), { concurrency }),
      Stream.takeUntil((page) => {
        const changed = page.totalCount !== total ||
          (page.data.length < pageSize && page.offset + pageSize < total)
        if (changed && !isLastPage(page, page.offset, pageSize)) {
          resumeFrom = { offset: page.offset + page.data.length, previousIds: idsOf(page) }
        }
        return changed
      }),
      Stream.map((page) => {
        const out = withoutRepeats(page, previousIds)
        previousIds = idsOf(page)
        return out
      })
    )
    return Stream.make(first).pipe(
      Stream.concat(planned),
      Stream.concat(Stream.suspend(() =>
        resumeFrom === undefined ? Stream.empty : sequentialPages(fetchPage, pageSize, resumeFrom)
      ))
    )
  }))
}
