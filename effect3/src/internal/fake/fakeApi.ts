/**
 * The shared fake (`shared/src/fake/`) with this line's pieces: its input schemas check create and
 * update bodies, its `ByokKey` decodes stored credentials, and an `Outcome` is acted out on this
 * line's `Clock`.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { type Checked, FakeApi, type FakeApiOptions, type FakeRequest, type Outcome } from "../../../../shared/src/fake/fakeApi.js"
import type { WireCreate, WireUpdate } from "../../../../shared/src/wire.js"
import { type ByokKey, ByokKeyFromWire } from "../../ByokKey.js"
import * as ByokInput from "../../ByokInput.js"

/** A stored credential and its raw key. */
export interface StoredCredential {
  readonly key: ByokKey
  readonly secret: Redacted.Redacted<string>
}

/** The body as the line's input schema checks it, with the key unwrapped for storing. */
const checker = <A extends { readonly key?: Redacted.Redacted<string> | undefined }, I extends object>(
  schema: Schema.Schema<A, I>
) => {
  const decode = Schema.decodeUnknownEither(schema)
  const encode = Schema.encodeSync(schema)
  return (body: unknown): Checked<any> =>
    Either.match(decode(body), {
      onLeft: (error) => ({
        ok: false,
        issues: ParseResult.ArrayFormatter.formatErrorSync(error).map((i) => `${i.path.join(".")}: ${i.message}`)
      }),
      onRight: (value) => ({ ok: true, value: encode(value) })
    })
}

const validators = {
  create: checker(ByokInput.CreateByokKey) as (body: unknown) => Checked<WireCreate>,
  update: checker(ByokInput.UpdateByokKey) as (body: unknown) => Checked<WireUpdate>
}

/** A fake that checks bodies with this line's input schemas. */
export const makeFake = (options?: FakeApiOptions): FakeApi => new FakeApi(validators, options)

const decodeKey = Schema.decodeSync(ByokKeyFromWire)

/** The fake's credentials, decoded as the client would see them, with their raw keys. */
export const credentialsOf = (fake: FakeApi): ReadonlyArray<StoredCredential> =>
  fake.credentials().map((stored) => ({ key: decodeKey(stored.wire), secret: Redacted.make(stored.secret) }))

/** What a transport acts out: every outcome but the ones timed on the Clock, which `handle` plays. */
export type Answer = Exclude<Outcome, { _tag: "Later" | "ActLater" }>

/**
 * Hands a request to the fake at the Clock's time; an answer that comes later waits on the Clock,
 * and an act that comes later runs in a fiber of its own, so it happens even if the client leaves.
 */
export const handle = (fake: FakeApi, request: FakeRequest): Effect.Effect<Answer> => {
  const settle = (outcome: Outcome): Effect.Effect<Answer> => {
    switch (outcome._tag) {
      case "Later":
        return Effect.zipRight(Effect.sleep(outcome.millis), Effect.flatMap(Clock.currentTimeMillis, (now) => settle(outcome.then(now))))
      case "ActLater": {
        const act = Effect.zipRight(Effect.sleep(outcome.millis), Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => outcome.act(now))))
        return Effect.as(Effect.forkDaemon(act), { _tag: "Hang" } as const)
      }
      default:
        return Effect.succeed(outcome)
    }
  }
  return Effect.flatMap(Clock.currentTimeMillis, (now) => settle(fake.handle(request, now)))
}
