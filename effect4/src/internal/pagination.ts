/**
 * Offset pagination as a lazy Stream of pages: the shared decisions (`shared/src/pagination.ts`)
 * driven by this line's `Stream`. A page is fetched only when the consumer pulls past the previous
 * one, and reading stops from `total_count` and short pages, so it never asks for a page past the end.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Pages from "../../../shared/src/pagination.js"
import type { ByokKeyPage } from "../ByokKey.js"

/** Fetches one page at an offset; the caller fixes the filters and the page size. */
export type FetchPage<E> = (offset: number) => Effect.Effect<ByokKeyPage, E>

/** One page after another from `from`, each fetched when the consumer needs it. */
const sequentialPages = <E>(fetchPage: FetchPage<E>, pageSize: number, from: Pages.Cursor): Stream.Stream<ByokKeyPage, E> =>
  Stream.paginate(from, (cursor) =>
    Effect.map(fetchPage(cursor.offset), (page) => {
      const { emit, next } = Pages.step(cursor, page, pageSize)
      return [emit === undefined ? [] : [emit], Option.fromNullishOr(next)] as const
    }))

/**
 * All pages. With `concurrency` above 1, the first page tells `total_count`; then up to
 * `concurrency` of the following pages are fetched at once and emitted in offset order. A page
 * that shows the collection changed is dropped with the rest of the plan, and reading goes on one
 * page at a time from its offset.
 */
export const paginate = <E>(
  fetchPage: FetchPage<E>,
  pageSize: number,
  concurrency: number
): Stream.Stream<ByokKeyPage, E> => {
  if (concurrency <= 1) return sequentialPages(fetchPage, pageSize, Pages.start)

  return Stream.unwrap(Effect.map(fetchPage(0), (first) => {
    if (Pages.isLastPage(first, pageSize)) return Stream.make(first)
    const total = first.totalCount
    // The cursor after the last page emitted; where sequential reading resumes if the plan breaks.
    let cursor = Pages.after(first)
    let broken = false
    const planned = Stream.fromIterable(Pages.plannedOffsets(total, pageSize)).pipe(
      Stream.mapEffect(fetchPage, { concurrency }),
      Stream.takeWhile((page) => {
        broken = Pages.breaksPlan(page, total, pageSize)
        return !broken
      }),
      Stream.map((page) => {
        const out = Pages.withoutRepeats(page, cursor.previousIds)
        cursor = Pages.after(page)
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
