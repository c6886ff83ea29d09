/**
 * What the shared suites are made of: named tests over a `Driver`, registered into a line's test
 * runner by `registerSuite`; the canary secrets and the leak search; the tally behind the README's
 * reliability figures; the seed of every generated scenario.
 */
import assert from "node:assert/strict"
import type { Operation } from "../src/endpoints.js"
import { defaultWorkspaceId, FakeApi, type FakeApiOptions, type LoggedRequest } from "../src/fake/fakeApi.js"
import type { Driver, Exit, Outcome, PlainError, PlainKey, Session, SessionOptions } from "./driver.js"
import { byokTags } from "./wireBodies.js"

/** One behaviour, run against a line's driver. */
export interface BehaviourTest {
  readonly name: string
  readonly run: (driver: Driver) => Promise<void>
  readonly timeoutMillis?: number
}

/** Tests under a heading; groups nest. */
export interface Group {
  readonly name: string
  readonly tests: ReadonlyArray<BehaviourTest>
  readonly groups?: ReadonlyArray<Group>
  /** Runs once the group's tests are done, to close what they shared. */
  readonly afterAll?: () => Promise<void>
}

/** A file's worth of behaviour, with the tally it prints when done. */
export interface Suite extends Group {
  readonly tally?: Tally
}

/** The test runner's functions, as each line's vitest provides them. */
export interface Registrar {
  readonly describe: (name: string, body: () => void) => void
  readonly it: (name: string, body: () => Promise<void>, timeout?: number) => void
  readonly afterAll: (body: () => void) => void
}

const registerGroup = (group: Group, driver: Driver, registrar: Registrar): void => {
  registrar.describe(group.name, () => {
    for (const test of group.tests) registrar.it(test.name, () => test.run(driver), test.timeoutMillis)
    for (const inner of group.groups ?? []) registerGroup(inner, driver, registrar)
    if (group.afterAll !== undefined) registrar.afterAll(group.afterAll)
  })
}

/** Registers every test of `suite` against `driver`. */
export const registerSuite = (suite: Suite, driver: Driver, registrar: Registrar): void => {
  registerGroup(suite, driver, registrar)
  const tally = suite.tally
  if (tally !== undefined) {
    registrar.afterAll(() => {
      console.log(
        `[reliability] ${driver.line} ${tally.file}: scenarios=${tally.scenarios} faults=${tally.faults} ` +
          `hostile=${tally.hostile} duplicates=${tally.duplicates} leaks=${tally.leaks} (RELIABILITY_SEED=${seed})`
      )
    })
  }
}

/** A test. */
export const test = (name: string, run: (driver: Driver) => Promise<void>, timeoutMillis?: number): BehaviourTest =>
  timeoutMillis === undefined ? { name, run } : { name, run, timeoutMillis }

// ---------------------------------------------------------------------------------------------
// Tiers, seeds and the tally.

/** Whether this run is the full tier, which runs the generated scenarios at full size. */
export const fullTier = process.env.BYOK_TEST_TIER === "full"

/**
 * The seed of every generated scenario in this run. Fixed by default, so `npm test` is the same
 * run everywhere; `RELIABILITY_SEED=<n>` replays another, `RELIABILITY_SEED=random` draws a fresh one.
 */
const seedSetting = process.env.RELIABILITY_SEED ?? ""
export const seed: number = seedSetting === ""
  ? 42
  : seedSetting === "random"
  ? Math.floor(Math.random() * 2_147_483_647)
  : Number(seedSetting)

/** Counts behind the README's reliability figures. */
export interface Tally {
  readonly file: string
  /** Scenarios run: matrix cells, table rows, generated property cases. */
  scenarios: number
  /** Faults the client met (a faulty answer or a broken transport) and handled as specified. */
  faults: number
  /** Hostile inputs rejected with `InvalidRequest` before anything was sent. */
  hostile: number
  /** Credentials stored more than once by a create. */
  duplicates: number
  /** Secret occurrences found in anything an operation produced. */
  leaks: number
}

export const makeTally = (file: string): Tally => ({ file, scenarios: 0, faults: 0, hostile: 0, duplicates: 0, leaks: 0 })

// ---------------------------------------------------------------------------------------------
// Canary secrets and the leak search.

/** The management key the suites' fakes accept. */
export const apiKeyText = "sk-or-v1-CANARYmgmt7e1f0c2a9b8d4e6f00112233445566778899aabbccddeeff01"

/** A distinct provider key per scenario, so a duplicate or a leak points at its scenario. */
export const providerKeyText = (n: number | string) => `sk-proj-CANARYprov-${n}-5f4dcc3b5aa765d61d8327deb882cf99`

/** Where each secret occurs in `texts`. */
export const leaksIn = (texts: ReadonlyArray<string>, secrets: Iterable<string>): Array<string> => {
  const found: Array<string> = []
  for (const secret of new Set(secrets)) {
    if (secret.length === 0) continue
    for (const text of texts) {
      if (text.includes(secret)) found.push(`${secret.slice(0, 14)}… in: ${text.slice(0, 300)}`)
    }
  }
  return found
}

/** Asserts no secret occurs in what the outcome produced, and that something was recorded; counts leaks. */
export const assertNoLeaks = (outcome: Pick<Outcome, "texts">, secrets: Iterable<string>, tally?: Tally): void => {
  assert.ok(outcome.texts.length > 0, "the driver recorded nothing to search")
  const found = leaksIn(outcome.texts, secrets)
  if (tally !== undefined) tally.leaks += found.length
  assert.deepEqual(found, [])
}

/** Every secret the fake holds: its management key and each stored provider key. */
export const fakeSecrets = (fake: { readonly apiKey: string; credentials(): ReadonlyArray<{ readonly secret: string }> }) => [
  fake.apiKey,
  ...fake.credentials().map((c) => c.secret)
]

// ---------------------------------------------------------------------------------------------
// Outcomes.

const describeExit = (exit: Exit) =>
  exit._tag === "Success"
    ? `success: ${JSON.stringify(exit.value)?.slice(0, 500)}`
    : exit._tag === "Failure"
    ? `failure: ${JSON.stringify(exit.error).slice(0, 500)}`
    : exit._tag === "Defect"
    ? `defect: ${exit.message}`
    : "interrupted"

/** The value of a successful outcome; fails the test otherwise. */
export const valueOf = <A = any>(outcome: Outcome): A => {
  if (outcome.exit._tag !== "Success") assert.fail(`expected success, got ${describeExit(outcome.exit)}`)
  return outcome.exit.value as A
}

/** The one tagged error of a failed outcome: a library error, not a defect or an interruption. */
export const errorOf = (outcome: Outcome): PlainError => {
  if (outcome.exit._tag !== "Failure") assert.fail(`expected a failure, got ${describeExit(outcome.exit)}`)
  assert.equal(outcome.exit.error.isError, true, "the error is an Error")
  return outcome.exit.error
}

/**
 * Like `errorOf`, and the error is one of this library's tagged errors, with a message, and the
 * only thing that went wrong: no second failure, no defect, no interruption beside it.
 */
export const soleErrorOf = (outcome: Outcome): PlainError => {
  const error = errorOf(outcome)
  assert.equal(outcome.exit._tag === "Failure" && outcome.exit.only, true, `not the only failure: ${describeExit(outcome.exit)}`)
  assert.ok((byokTags as ReadonlyArray<string>).includes(error._tag), `not a BYOK error tag: ${error._tag}`)
  assert.equal(error.isByokError, true, "one of this library's errors")
  assert.equal(typeof error.message, "string")
  return error
}

/** The keys of a successful list, stream, get, create or update, as ids. */
export const idsOf = (outcome: Outcome): Array<string> => {
  const value = valueOf(outcome)
  const keys: ReadonlyArray<PlainKey> = Array.isArray(value) ? value : "data" in value ? value.data : [value]
  return keys.map((key) => key.id)
}

/** Waits, turn by turn of the event loop (not on a timer), until `condition` holds; fails after `turns`. */
export const until = async (condition: () => boolean, what: string, most = 2_000): Promise<void> => {
  for (let i = 0; i < most; i++) {
    if (condition()) return
    await turns(1)
  }
  assert.fail(`${what}: not reached within ${most} turns of the event loop`)
}

/** `n` turns of the event loop (not sleeps), so every fiber and callback that can run has run. */
export const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

// ---------------------------------------------------------------------------------------------
// Sessions and the fake.

/** Options of `withSession`: the fake's and the session's. */
export interface SessionSetup extends Omit<SessionOptions, "fake"> {
  readonly fake?: FakeApiOptions | FakeApi
}

/** Runs `body` with a fresh fake (or the one given) and a session over it; closes the session after. */
export const withSession = async <A>(
  driver: Driver,
  setup: SessionSetup,
  body: (session: Session, fake: FakeApi) => Promise<A>
): Promise<A> => {
  const fake = setup.fake instanceof FakeApi ? setup.fake : driver.makeFake({ apiKey: apiKeyText, ...setup.fake })
  const session = await driver.open({ ...setup, fake })
  try {
    return await body(session, fake)
  } finally {
    await session.close()
  }
}

/** The requests the fake received for one operation. */
export const requestsOf = (fake: FakeApi, operation: Operation): Array<LoggedRequest> =>
  fake.requests().filter((r) => r.operation === operation)

/** Stores a credential directly, as another client would have; returns its id. */
export const insertKey = (
  fake: FakeApi,
  credential: { readonly provider: string; readonly name?: string | null; readonly workspaceId?: string | null; readonly disabled?: boolean; readonly secret?: string; readonly createdAt?: number }
): string =>
  fake.insert({
    provider: credential.provider,
    name: credential.name ?? null,
    workspaceId: credential.workspaceId === undefined ? defaultWorkspaceId : credential.workspaceId,
    disabled: credential.disabled ?? false,
    secret: credential.secret ?? `sk-inserted-${fake.size + 1}-0000`,
    createdAt: credential.createdAt ?? 0
  })
