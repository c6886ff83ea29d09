import { expect, it } from "@effect/vitest"
import type { ByokError } from "../src/index.js"
import type * as Endpoints from "../src/internal/endpoints.js"

/** Type-level: each operation's public error union is what its declared statuses stand for, plus the common errors. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
type Derived<E> = Endpoints.DeclaredError<E> | ByokError.CommonError
const errorUnionsMatchTheTable: [
  Equals<Derived<typeof Endpoints.list>, ByokError.ListError>,
  Equals<Derived<typeof Endpoints.get>, ByokError.GetError>,
  Equals<Derived<typeof Endpoints.create>, ByokError.CreateError>,
  Equals<Derived<typeof Endpoints.update>, ByokError.UpdateError>,
  Equals<Derived<typeof Endpoints.remove>, ByokError.DeleteError>
] = [true, true, true, true, true]

it("the error unions are checked by the type-checker", () => {
  expect(errorUnionsMatchTheTable).toEqual([true, true, true, true, true])
})
