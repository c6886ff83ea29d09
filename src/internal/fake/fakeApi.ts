/**
 * The fake BYOK API's semantics, independent of any transport: an in-memory store of credentials,
 * the five routes (read from the same endpoint table and input schemas as the client), a log of the
 * requests it received, and faults injected per route. The in-memory HttpClient and the loopback
 * server both hand their requests to `handle`.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { type ByokKey, ByokKeyFromWire, type ByokKeyWire, knownProviderSlugs } from "../../ByokKey.js"
import type { CreateByokKey, UpdateByokKey } from "../../ByokInput.js"
import * as ByokInput from "../../ByokInput.js"
import * as Endpoints from "../endpoints.js"

/** The management key the fake accepts unless told another. */
export const defaultApiKey = "sk-or-v1-fake-management-key"
/** The fake's default workspace: where a list or create without `workspace_id` goes. */
export const defaultWorkspaceId = "550e8400-e29b-41d4-a716-446655440000"
/** The request log keeps at most this many of the latest requests. */
export const maxLoggedRequests = 100_000
/** The path prefix the fake serves under, as the real API does. */
export const basePath = "/api/v1"

/** A request as the fake sees it, whatever carried it. */
export interface FakeRequest {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** A fault to inject: what the fake does instead of (or after) answering normally. */
export type Fault =
  | {
    readonly _tag: "Respond"
    /** `success`: the success status of the operation the request is for. */
    readonly status: number | "success"
    readonly headers: Readonly<Record<string, string>>
    readonly body: string
    /** Run the real handler first (so a create is stored), then answer with this instead. */
    readonly afterHandling: boolean
  }
  | { readonly _tag: "MapBody"; readonly f: (wire: any) => unknown }
  | { readonly _tag: "AddHeaders"; readonly headers: Readonly<Record<string, string>> }
  | { readonly _tag: "Delay"; readonly delay: Duration.Duration }
  | { readonly _tag: "Reset"; readonly afterHandling: boolean }
  | { readonly _tag: "ResetMidBody" }
  | { readonly _tag: "Hang" }
  | { readonly _tag: "Refuse" }

/** What the fake answers: a response, or something a transport has to act out. */
export type Outcome =
  | { readonly _tag: "Response"; readonly status: number; readonly headers: Record<string, string>; readonly body: string }
  | { readonly _tag: "Reset" }
  | { readonly _tag: "ResetMidBody"; readonly status: number; readonly headers: Record<string, string>; readonly body: string }
  | { readonly _tag: "Hang" }
  | { readonly _tag: "Refuse" }

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

/** A stored credential: what the API would return, and the raw key it never returns. */
export interface StoredCredential {
  readonly key: ByokKey
  readonly secret: Redacted.Redacted<string>
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

export interface FakeApiOptions {
  /** How many generated credentials to start with, or the exact ones. Default 0. */
  readonly seed?: number | ReadonlyArray<SeedCredential>
  /** The management key requests must carry. */
  readonly apiKey?: string
}

type WireKey = typeof ByokKeyWire.Type

interface Record_ {
  wire: WireKey
  secret: string
}

interface FaultRule {
  readonly operation: Endpoints.Operation | undefined
  /** Only requests for this credential id (get, update, delete). */
  readonly id: string | undefined
  remaining: number
  readonly fault: Fault
}

const jsonHeaders = { "content-type": "application/json" }
const json = (status: number, body: unknown): Outcome => ({
  _tag: "Response",
  status,
  headers: { ...jsonHeaders },
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

const decodeCreate = Schema.decodeUnknownEither(ByokInput.CreateByokKey)
const decodeUpdate = Schema.decodeUnknownEither(ByokInput.UpdateByokKey)
const isUuid = Schema.is(ByokInput.Uuid)
const decodeKey = Schema.decodeSync(ByokKeyFromWire)

const badRequest = (error: ParseResult.ParseError) =>
  failure(400, ParseResult.ArrayFormatter.formatErrorSync(error).map((i) => `${i.path.join(".")}: ${i.message}`).join("; "))

const successStatusOf = (operation: Endpoints.Operation | undefined) =>
  Endpoints.all.find((e) => e.operation === operation)?.successStatus ?? 200

/** A deterministic UUID per credential number, so tests can name ids in advance. */
export const fakeId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`

const label = (secret: string) => secret.length <= 8 ? "***" : `${secret.slice(0, 3)}...${secret.slice(-4)}`

const seedProviders = ["openai", "anthropic", "google-vertex", "amazon-bedrock", "mistral", "groq", "together", "deepseek"]

/** The fake's state and behaviour. */
export class FakeApi {
  private readonly records = new Map<string, Record_>()
  private readonly rules: Array<FaultRule> = []
  private readonly log: Array<LoggedRequest> = []
  /** Credentials created per provider so far: the next one's `sort_order`. */
  private readonly createdPerProvider = new Map<string, number>()
  private nextNumber = 1
  readonly apiKey: string

  constructor(options: FakeApiOptions = {}, startMillis = Date.parse("2025-08-24T10:30:00Z")) {
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
        createdAt: startMillis + i * 1000
      })
    })
  }

  /** Credentials in store order, decoded as the client would see them, with their raw keys. */
  credentials(): ReadonlyArray<StoredCredential> {
    return Array.from(this.records.values(), (r) => ({ key: decodeKey(r.wire), secret: Redacted.make(r.secret) }))
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
    provider: string
    name: string | null
    workspaceId: string | null
    disabled: boolean
    secret: string
    createdAt: number
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

  /** Handles one request: logs it, applies faults, and answers. */
  handle(request: FakeRequest): Effect.Effect<Outcome> {
    return Effect.suspend(() => {
      const route = this.route(request)
      const authorized = this.record(request, route?.operation).authorized
      const rule = this.rules.find((r) =>
        r.remaining > 0 &&
        (r.operation === undefined || r.operation === route?.operation) &&
        (r.id === undefined || r.id === route?.id)
      )
      if (rule !== undefined) rule.remaining--
      const fault = rule?.fault
      const answer = Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => this.answer(request, route, authorized, now)))
      if (fault === undefined) return answer
      switch (fault._tag) {
        case "Delay":
          return Effect.zipRight(Effect.sleep(fault.delay), answer)
        case "Hang":
          return Effect.succeed<Outcome>({ _tag: "Hang" })
        case "Refuse":
          return Effect.succeed<Outcome>({ _tag: "Refuse" })
        case "Respond": {
          const status = fault.status === "success" ? successStatusOf(route?.operation) : fault.status
          const respond: Outcome = { _tag: "Response", status, headers: { ...fault.headers }, body: fault.body }
          return fault.afterHandling ? Effect.as(answer, respond) : Effect.succeed(respond)
        }
        case "Reset":
          return fault.afterHandling ? Effect.as(answer, { _tag: "Reset" } as const) : Effect.succeed<Outcome>({ _tag: "Reset" })
        case "ResetMidBody":
          return Effect.map(answer, (o): Outcome => o._tag === "Response" ? { ...o, _tag: "ResetMidBody" } : o)
        case "MapBody":
          return Effect.map(answer, (o): Outcome =>
            o._tag === "Response" ? { ...o, body: JSON.stringify(fault.f(JSON.parse(o.body))) } : o)
        case "AddHeaders":
          return Effect.map(answer, (o): Outcome =>
            o._tag === "Response" ? { ...o, headers: { ...o.headers, ...fault.headers } } : o)
      }
    })
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
        return this.withBody(request, decodeCreate, (input) => this.create(input, now))
      case "get":
        return this.withRecord(route.id, (record) => json(200, { data: record.wire }))
      case "update":
        return this.withRecord(route.id, (record) => this.withBody(request, decodeUpdate, (input) => this.update(record, input)))
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
    const limit = int("limit", 50, 1, 100)
    if (offset === undefined) return failure(400, "offset must be an integer of at least 0")
    if (limit === undefined) return failure(400, "limit must be an integer from 1 to 100")
    const workspaceId = query.get("workspace_id") ?? defaultWorkspaceId
    if (!isUuid(workspaceId)) return failure(400, "workspace_id must be a UUID")
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

  private withRecord(id: string | undefined, f: (record: Record_) => Outcome): Outcome {
    const record = id === undefined ? undefined : this.records.get(id)
    return record === undefined ? failure(404) : f(record)
  }

  private withBody<A>(
    request: FakeRequest,
    decode: (u: unknown) => Either.Either<A, ParseResult.ParseError>,
    f: (input: A) => Outcome
  ): Outcome {
    let body: unknown
    try {
      body = JSON.parse(request.body)
    } catch {
      return failure(400, "the body is not valid JSON")
    }
    const input = decode(body)
    return Either.isLeft(input) ? badRequest(input.left) : f(input.right)
  }

  private create(input: CreateByokKey, now: number): Outcome {
    const id = this.insert({
      provider: input.provider,
      name: input.name ?? null,
      workspaceId: input.workspaceId ?? defaultWorkspaceId,
      disabled: input.disabled ?? false,
      secret: Redacted.value(input.key),
      createdAt: now
    })
    const record = this.records.get(id)!
    record.wire = { ...record.wire, ...wireFlags(input) }
    return json(201, { data: record.wire })
  }

  private update(record: Record_, input: UpdateByokKey): Outcome {
    const next = { ...record.wire, ...wireFlags(input) }
    if (next.is_fallback && next.is_byok_only) return failure(400, "is_fallback and is_byok_only cannot both be true")
    if (input.name !== undefined) next.name = input.name
    if (input.key !== undefined) {
      record.secret = Redacted.value(input.key)
      next.label = label(record.secret)
    }
    record.wire = next
    return json(200, { data: record.wire })
  }
}

/** The optional flags and allowlists of a create or update, in wire form, only those given. */
const wireFlags = (input: CreateByokKey | UpdateByokKey): Partial<WireKey> => {
  const out: { -readonly [K in keyof WireKey]?: WireKey[K] } = {}
  if (input.disabled !== undefined) out.disabled = input.disabled
  if (input.isFallback !== undefined) out.is_fallback = input.isFallback
  if (input.isByokOnly !== undefined) out.is_byok_only = input.isByokOnly
  if (input.isRequired !== undefined) out.is_required = input.isRequired
  if (input.declaredZdr !== undefined) out.declared_zdr = input.declaredZdr
  if (input.allowedModels !== undefined) out.allowed_models = input.allowedModels
  if (input.allowedApiKeyHashes !== undefined) out.allowed_api_key_hashes = input.allowedApiKeyHashes
  if (input.allowedUserIds !== undefined) out.allowed_user_ids = input.allowedUserIds
  return out
}
