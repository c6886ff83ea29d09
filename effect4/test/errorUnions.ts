/**
 * Type-level, checked by `npm run typecheck` (this file runs nothing): each operation's public
 * error union is what its endpoint row's declared statuses stand for, plus the common errors.
 */
import type { ByokError } from "../src/index.js"
import type * as Endpoints from "../src/internal/endpoints.js"

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
type Derived<E> = Endpoints.DeclaredError<E> | ByokError.CommonError

export const errorUnionsMatchTheRows: [
  Equals<Derived<typeof Endpoints.list>, ByokError.ListError>,
  Equals<Derived<typeof Endpoints.get>, ByokError.GetError>,
  Equals<Derived<typeof Endpoints.create>, ByokError.CreateError>,
  Equals<Derived<typeof Endpoints.update>, ByokError.UpdateError>,
  Equals<Derived<typeof Endpoints.remove>, ByokError.DeleteError>
] = [true, true, true, true, true]
