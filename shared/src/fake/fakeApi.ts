/**
 * The fake BYOK API's semantics, independent of any transport and of Effect: an in-memory store of
 * credentials, the five routes (read from the shared endpoint rows), a log of the requests it
 * received, and faults injected per route. Each line's testing kit wraps it in a service, checks
 * create and update bodies with its own input schemas (`InputValidators`), and serves it in memory
 * as an `HttpClient` or over real HTTP on 127.0.0.1; both transports hand requests to `handle`.
 */
import * as Endpoints from "../endpoints.js"
import { knownProviderSlugs } from "../providers.js"
import { uuidPattern, type WireCreate, type WireKey, type WireSettings, type WireUpdate } from "../wire.js"
import type { Fault } from "./faults.js"

/** The management key the fake accepts unless told another. */
export const defaultApiKey = "sk-or-v1-fake-management-key"
/** The fake's default workspace: where a list or create without `workspace_id` goes. */
export const defaultWorkspaceId = "550e8400-e29b-41d4-a716-446655440000"
/** The request log keeps at most this many of the latest requests. */
export const maxLoggedRequests = 100_000
/** The path prefix the fake serves under, as the real API does. */
export const basePath = "/api/v1"
/** The base URL the in-memory fake answers on. Nothing listens there: only the in-memory client reaches it. */
export const memoryBaseUrl = `https://byok.fake.invalid${basePath}`

/** A request as the fake sees it, whatever carried it. */
export interface FakeRequest {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** What the fake answers: a response, or something a transport has to act out. */
export type Outcome =
  | { readonly _tag: "Response"; readonly status: number; readonly headers: Record<string, string>; readonly body: string }
  | { readonly _tag: "Reset" }
  | { readonly _tag: "ResetMidBody"; readonly status: number; readonly headers: Record<string, string>; readonly body: string }
  | { readonly _tag: "Hang" }
  | { readonly _tag: "Refuse" }
  /** Wait `millis` on the transport's clock, then answer with `then` of the time it is by then. */
  | { readonly _tag: "Later"; readonly millis: number; readonly then: (nowMillis: number) => Outcome }
  /**
   * Never answer, and act on the request `millis` later on the transport's clock, whatever became
   * of the connection: a server still working on a request its client gave up on.
   */
  | { readonly _tag: "ActLater"; readonly millis: number; readonly act: (nowMillis: number) => void }

/** One request the fake received. The provider key in a body is replaced by `<redacted>`. */
export interface LoggedRequest {
  readonly operation: Endpoints.Operation | undefined
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  /** Whether the request carried the fake's management key as its bearer token. */
  readonly authorized: boolean
  /** The request's headers, without `authorization`. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

/** A stored credential as the API would return it, and the raw key it never returns. */
export interface StoredWire {
  readonly wire: WireKey
  readonly secret: string
}

/** A credential to seed the fake with. */
export interface SeedCredential {
  readonly provider: string
  readonly name?: string | null
  readonly workspaceId?: string | null
  readonly disabled?: boolean
  readonly secret?: string
}

/** Which requests a fault applies to, and how many times. */
export interface FaultOptions {
  /** Only requests of this operation; any operation when absent. */
  readonly operation?: Endpoints.Operation
  /** Only requests for this credential id (get, update, delete); any when absent. */
  readonly id?: string
  /** How many matching requests the fault applies to; default 1. */
  readonly times?: number
}

/** Options of a fake. */
export interface FakeApiOptions {
  /** How many generated credentials to start with, or the exact ones. Default 0. */
  readonly seed?: number | ReadonlyArray<SeedCredential>
  /** The management key requests must carry. */
  readonly apiKey?: string
}

/** A body a line's input schema accepted, or the problems it found, one line each. */
export type Checked<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly issues: ReadonlyArray<string> }

/** The line's input schemas, as the fake uses them to check create and update bodies. */
export interface InputValidators {
  readonly create: (body: unknown) => Checked<WireCreate>
  readonly update: (body: unknown) => Checked<WireUpdate>
}

interface StoredRecord {
  wire: WireKey
  secret: string
}

interface FaultRule {
  readonly operation: Endpoints.Operation | undefined
  readonly id: string | undefined
  remaining: number
  readonly fault: Fault
}

const json = (status: number, body: unknown): Outcome => ({
  _tag: "Response",
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body)
})
const errorMessages: Record<number, string> = {
  400: "Invalid request parameters",
  401: "Missing Authentication header",
  403: "Only management keys can perform this operation",
  404: "Resource not found",
  429: "Rate limit exceeded",
  500: "Internal Server Error"
}
/** The documented error body for a status: `{ "error": { "code", "message" } }`. */
export const errorBody = (status: number, message = errorMessages[status] ?? `HTTP ${status}`) => ({
  error: { code: status, message }
})
const failure = (status: number, message?: string) => json(status, errorBody(status, message))

const successStatusOf = (operation: Endpoints.Operation | undefined) =>
  operation === undefined ? 200 : Endpoints.byOperation[operation].successStatus

/** A deterministic UUID per credential number, so tests can name ids in advance. */
export const fakeId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`

/** The server's masked snippet of a key: its first 3 and last 4 characters around `...`. */
export const label = (secret: string) => secret.length <= 8 ? "***" : `${secret.slice(0, 3)}...${secret.slice(-4)}`

const seedProviders = ["openai", "anthropic", "google-vertex", "amazon-bedrock", "mistral", "groq", "together", "deepseek"]

/** When the fake's seeded credentials were created: the first at this instant, then one a second. */
export const seedStartMillis = Date.parse("2025-08-24T10:30:00Z")

/** The fake's state and behaviour. */
export class FakeApi {
  private readonly records = new Map<string, StoredRecord>()
  private readonly rules: Array<FaultRule> = []
  private readonly log: Array<LoggedRequest> = []
  /** Credentials created per provider so far: the next one's `sort_order`. */
  private readonly createdPerProvider = new Map<string, number>()
  private nextNumber = 1
  readonly apiKey: string

  constructor(private readonly validators: InputValidators, options: FakeApiOptions = {}) {
    this.apiKey = options.apiKey ?? defaultApiKey
    const seed = options.seed ?? 0
    const seeds: ReadonlyArray<SeedCredential> = typeof seed === "number"
      ? Array.from({ length: seed }, (_, i) => ({
        provider: seedProviders[i % seedProviders.length]!,
        name: `Seeded key ${i + 1}`,
        disabled: i % 7 === 6
      }))
      : seed
    seeds.forEach((s, i) => {
      this.insert({
        provider: s.provider,
        name: s.name ?? null,
        workspaceId: s.workspaceId === undefined ? defaultWorkspaceId : s.workspaceId,
        disabled: s.disabled ?? false,
        secret: s.secret ?? `sk-seed-secret-${String(i + 1).padStart(6, "0")}`,
        createdAt: seedStartMillis + i * 1000
      })
    })
  }

  /** Credentials in store order, as the API would return them, with their raw keys. */
  credentials(): ReadonlyArray<StoredWire> {
    return Array.from(this.records.values(), (r) => ({ wire: r.wire, secret: r.secret }))
  }

  /** How many credentials are stored. */
  get size(): number {
    return this.records.size
  }

  /** The requests received, oldest first, within `maxLoggedRequests`. */
  requests(): ReadonlyArray<LoggedRequest> {
    return this.log.slice()
  }

  /** Forgets the request log. */
  clearRequests(): void {
    this.log.length = 0
  }

  /** Adds a fault for the next `times` requests to `operation` (any operation when undefined), and to credential `id` when given. */
  injectFault(fault: Fault, options: FaultOptions = {}): void {
    this.rules.push({ operation: options.operation, id: options.id, remaining: options.times ?? 1, fault })
  }

  /** Drops every fault not yet used. */
  clearFaults(): void {
    this.rules.length = 0
  }

  /** Stores a credential directly, as if created earlier; returns its id. */
  insert(input: {
    readonly provider: string
    readonly name: string | null
    readonly workspaceId: string | null
    readonly disabled: boolean
    readonly secret: string
    readonly createdAt: number
  }): string {
    const id = fakeId(this.nextNumber++)
    const sortOrder = this.createdPerProvider.get(input.provider) ?? 0
    this.createdPerProvider.set(input.provider, sortOrder + 1)
    this.records.set(id, {
      secret: input.secret,
      wire: {
        id,
        provider: input.provider,
        workspace_id: input.workspaceId,
        label: label(input.secret),
        name: input.name,
        disabled: input.disabled,
        is_fallback: false,
        is_required: false,
        is_byok_only: false,
        declared_zdr: null,
        allowed_models: null,
        allowed_api_key_hashes: null,
        allowed_user_ids: null,
        sort_order: sortOrder,
        created_at: new Date(input.createdAt).toISOString()
      }
    })
    return id
  }

  /** Removes a credential directly (to change the collection under a reader). */
  remove(id: string): boolean {
    return this.records.delete(id)
  }

  /** Handles one request arriving at `nowMillis`: logs it, applies faults, and answers. */
  handle(request: FakeRequest, nowMillis: number): Outcome {
    const route = this.route(request)
    const authorized = this.record(request, route?.operation).authorized
    const rule = this.rules.find((r) =>
      r.remaining > 0 &&
      (r.operation === undefined || r.operation === route?.operation) &&
      (r.id === undefined || r.id === route?.id)
    )
    if (rule !== undefined) rule.remaining--
    const fault = rule?.fault
    const answer = (now: number) => this.answer(request, route, authorized, now)
    if (fault === undefined) return answer(nowMillis)
    switch (fault._tag) {
      case "Delay":
        return { _tag: "Later", millis: fault.millis, then: answer }
      case "ActLater":
        return { _tag: "ActLater", millis: fault.millis, act: answer }
      case "Hang":
        return { _tag: "Hang" }
      case "Refuse":
        return { _tag: "Refuse" }
      case "Respond": {
        const status = fault.status === "success" ? successStatusOf(route?.operation) : fault.status
        if (fault.afterHandling) answer(nowMillis)
        return { _tag: "Response", status, headers: { ...fault.headers }, body: fault.body }
      }
      case "Reset":
        if (fault.afterHandling) answer(nowMillis)
        return { _tag: "Reset" }
      case "ResetMidBody": {
        const outcome = answer(nowMillis)
        return outcome._tag === "Response" ? { ...outcome, _tag: "ResetMidBody" } : outcome
      }
      case "MapBody": {
        const outcome = answer(nowMillis)
        return outcome._tag === "Response" ? { ...outcome, body: JSON.stringify(fault.f(JSON.parse(outcome.body))) } : outcome
      }
      case "AddHeaders": {
        const outcome = answer(nowMillis)
        return outcome._tag === "Response" ? { ...outcome, headers: { ...outcome.headers, ...fault.headers } } : outcome
      }
    }
  }

  private route(request: FakeRequest): { operation: Endpoints.Operation; id: string | undefined } | undefined {
    const path = request.url.pathname
    if (!path.startsWith(`${basePath}/byok`)) return undefined
    const rest = path.slice(basePath.length)
    const id = rest === "/byok" ? undefined : /^\/byok\/([^/]+)$/.exec(rest)?.[1]
    if (rest !== "/byok" && id === undefined) return undefined
    const template = id === undefined ? "/byok" : "/byok/{id}"
    const endpoint = Endpoints.all.find((e) => e.path === template && e.method === request.method)
    return endpoint === undefined ? undefined : { operation: endpoint.operation, id: id && decodeURIComponent(id) }
  }

  private record(request: FakeRequest, operation: Endpoints.Operation | undefined): LoggedRequest {
    let body: unknown = undefined
    if (request.body.length > 0) {
      try {
        body = JSON.parse(request.body)
        if (typeof body === "object" && body !== null && "key" in body) body = { ...body, key: "<redacted>" }
      } catch {
        body = request.body
      }
    }
    const { authorization, ...headers } = request.headers
    const entry: LoggedRequest = {
      operation,
      method: request.method,
      path: request.url.pathname,
      query: Object.fromEntries(request.url.searchParams),
      authorized: authorization === `Bearer ${this.apiKey}`,
      headers,
      body
    }
    this.log.push(entry)
    // Bounded, so a long benchmark or soak run does not slow down on its own log.
    if (this.log.length > maxLoggedRequests) this.log.splice(0, this.log.length - maxLoggedRequests / 2)
    return entry
  }

  private answer(request: FakeRequest, route: ReturnType<FakeApi["route"]>, authorized: boolean, now: number): Outcome {
    if (route === undefined) return failure(404, "No such route")
    if (!authorized) return failure(401)
    switch (route.operation) {
      case "list":
        return this.list(request.url.searchParams)
      case "create":
        return this.withBody(request, this.validators.create, (input) => this.create(input, now))
      case "get":
        return this.get(route.id, request.url.searchParams)
      case "update":
        return this.withRecord(route.id, (record) => this.withBody(request, this.validators.update, (input) => this.update(record, input)))
      case "delete":
        return this.withRecord(route.id, (record) => {
          this.records.delete(record.wire.id)
          return json(200, { deleted: true })
        })
    }
  }

  private list(query: URLSearchParams): Outcome {
    const int = (name: string, fallback: number, min: number, max: number) => {
      const raw = query.get(name)
      if (raw === null) return fallback
      return /^\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max ? Number(raw) : undefined
    }
    const offset = int("offset", 0, 0, Number.MAX_SAFE_INTEGER)
    const limit = int("limit", Endpoints.serverDefaultLimit, 1, 100)
    if (offset === undefined) return failure(400, "offset must be an integer of at least 0")
    if (limit === undefined) return failure(400, "limit must be an integer from 1 to 100")
    const workspaceId = query.get("workspace_id") ?? defaultWorkspaceId
    if (!uuidPattern.test(workspaceId)) return failure(400, "workspace_id must be a UUID")
    const provider = query.get("provider")
    if (provider !== null && !(knownProviderSlugs as ReadonlyArray<string>).includes(provider)) {
      return failure(400, `unknown provider: ${provider}`)
    }
    const matching: Array<WireKey> = []
    for (const record of this.records.values()) {
      const wire = record.wire
      if ((wire.workspace_id === workspaceId || wire.workspace_id === null) && (provider === null || wire.provider === provider)) {
        matching.push(wire)
      }
    }
    return json(200, { data: matching.slice(offset, offset + limit), total_count: matching.length })
  }

  /**
   * A credential by id, within one workspace as the API scopes a get: the default workspace unless
   * `workspace_id` names another, and the global credentials, which serve every workspace.
   */
  private get(id: string | undefined, query: URLSearchParams): Outcome {
    const workspaceId = query.get("workspace_id") ?? defaultWorkspaceId
    if (!uuidPattern.test(workspaceId)) return failure(400, "workspace_id must be a UUID")
    return this.withRecord(id, (record) =>
      record.wire.workspace_id === workspaceId || record.wire.workspace_id === null
        ? json(200, { data: record.wire })
        : failure(404))
  }

  private withRecord(id: string | undefined, f: (record: StoredRecord) => Outcome): Outcome {
    const record = id === undefined ? undefined : this.records.get(id)
    return record === undefined ? failure(404) : f(record)
  }

  private withBody<A>(request: FakeRequest, check: (body: unknown) => Checked<A>, f: (input: A) => Outcome): Outcome {
    let body: unknown
    try {
      body = JSON.parse(request.body)
    } catch {
      return failure(400, "the body is not valid JSON")
    }
    const input = check(body)
    return input.ok ? f(input.value) : failure(400, input.issues.join("; "))
  }

  private create(input: WireCreate, now: number): Outcome {
    const id = this.insert({
      provider: input.provider,
      name: input.name ?? null,
      workspaceId: input.workspace_id ?? defaultWorkspaceId,
      disabled: input.disabled ?? false,
      secret: input.key,
      createdAt: now
    })
    const record = this.records.get(id)!
    record.wire = { ...record.wire, ...settingsOf(input) }
    return json(201, { data: record.wire })
  }

  private update(record: StoredRecord, input: WireUpdate): Outcome {
    const next: { -readonly [K in keyof WireKey]: WireKey[K] } = { ...record.wire, ...settingsOf(input) }
    if (next.is_fallback && next.is_byok_only) return failure(400, "is_fallback and is_byok_only cannot both be true")
    if (input.key !== undefined) {
      record.secret = input.key
      next.label = label(record.secret)
    }
    record.wire = next
    return json(200, { data: record.wire })
  }
}

/** The settings of a create or update that were given, as stored. */
const settingsOf = (input: WireSettings): Partial<WireKey> => {
  const out: { -readonly [K in keyof WireKey]?: WireKey[K] } = {}
  for (const field of settingFields) {
    if (input[field] !== undefined) (out as Record<string, unknown>)[field] = input[field]
  }
  return out
}

const settingFields: ReadonlyArray<keyof WireSettings> = [
  "name",
  "disabled",
  "is_fallback",
  "is_byok_only",
  "is_required",
  "declared_zdr",
  "allowed_models",
  "allowed_api_key_hashes",
  "allowed_user_ids"
]
