/**
 * The decisions of a create whose outcome is unknown: which live credentials it could have made,
 * read from what was sent, when it was sent and the server's masked `label`. Each line's client
 * runs the looks, the resend and the removal through its own pipeline; what counts as a match,
 * and what each look decides, is decided here, once.
 */

/** The settle period unless the server's `Retry-After` says otherwise: a request the client gave up on may still be running. */
export const defaultSettleMillis = 2_000

/** How far the server's clock may be behind the client's when `created_at` is compared with when the create was sent. */
export const defaultClockSkewMillis = 5 * 60_000

/**
 * What a masked label says about a key. The API shows a key's first and last characters around
 * `...` (the contract's example: `sk-...AbCd`): when both visible parts are the key's, the label is
 * consistent with it; when either differs, it is certainly another key's. A label in any other
 * form, or one that shows nothing, cannot tell.
 */
export type LabelVerdict = "consistent" | "different" | "cannot tell"

const maskedLabel = /^(.+)\.\.\.(.+)$/s

/** Whether `label` can be the server's mask of `key`. */
export const labelVerdict = (label: string, key: string): LabelVerdict => {
  const parts = maskedLabel.exec(label)
  if (parts === null) return "cannot tell"
  const [, head, tail] = parts as unknown as [string, string, string]
  return key.length >= head.length + tail.length && key.startsWith(head) && key.endsWith(tail) ? "consistent" : "different"
}

/** The settings a create may send, as its input names them. */
export interface SentSettings {
  readonly name?: string | null | undefined
  readonly disabled?: boolean | undefined
  readonly isFallback?: boolean | undefined
  readonly isByokOnly?: boolean | undefined
  readonly isRequired?: boolean | undefined
  readonly declaredZdr?: boolean | null | undefined
  readonly allowedModels?: ReadonlyArray<string> | null | undefined
  readonly allowedApiKeyHashes?: ReadonlyArray<string> | null | undefined
  readonly allowedUserIds?: ReadonlyArray<string> | null | undefined
}

/** What was sent: the provider, the workspace (none: the account's default), the settings, and the key's text. */
export interface SentCreate extends SentSettings {
  readonly provider: string
  readonly workspaceId?: string | undefined
  readonly keyText: string
}

/** A live credential, as either line's `ByokKey` holds it. */
export interface LiveCredential {
  readonly id: string
  readonly provider: string
  readonly workspaceId: string | null
  readonly label: string
  readonly name?: string | null | undefined
  readonly disabled: boolean
  readonly isFallback: boolean
  readonly isByokOnly: boolean
  readonly isRequired: boolean
  readonly declaredZdr: boolean | null
  readonly allowedModels: ReadonlyArray<string> | null
  readonly allowedApiKeyHashes: ReadonlyArray<string> | null
  readonly allowedUserIds: ReadonlyArray<string> | null
  readonly createdAt: Date
}

const sameList = (a: ReadonlyArray<string> | null, b: ReadonlyArray<string> | null) =>
  a === null || b === null ? a === b : a.length === b.length && a.every((item, i) => item === b[i])

/** Each setting the create sent has the value it sent. */
const hasSettings = (key: LiveCredential, sent: SentSettings): boolean =>
  (sent.disabled === undefined || key.disabled === sent.disabled) &&
  (sent.isFallback === undefined || key.isFallback === sent.isFallback) &&
  (sent.isByokOnly === undefined || key.isByokOnly === sent.isByokOnly) &&
  (sent.isRequired === undefined || key.isRequired === sent.isRequired) &&
  (sent.declaredZdr === undefined || key.declaredZdr === sent.declaredZdr) &&
  (sent.allowedModels === undefined || sameList(key.allowedModels, sent.allowedModels)) &&
  (sent.allowedApiKeyHashes === undefined || sameList(key.allowedApiKeyHashes, sent.allowedApiKeyHashes)) &&
  (sent.allowedUserIds === undefined || sameList(key.allowedUserIds, sent.allowedUserIds))

/**
 * Whether the create could have made `key`: the provider, workspace, name and each setting sent;
 * created no earlier than `sinceMillis` (the attempt's start less the clock-skew allowance); and a
 * label that is not certainly another key's. Without a workspace the create went to the account's
 * default one, which a listing without `workspaceId` shows beside the global credentials.
 */
const couldHaveMade = (key: LiveCredential, sent: SentCreate, sinceMillis: number): boolean =>
  key.provider === sent.provider &&
  (sent.workspaceId === undefined ? key.workspaceId !== null : key.workspaceId === sent.workspaceId) &&
  (key.name ?? null) === (sent.name ?? null) &&
  hasSettings(key, sent) &&
  key.createdAt.getTime() >= sinceMillis &&
  labelVerdict(key.label, sent.keyText) !== "different"

/**
 * What a look after an ambiguous attempt decides: take the one credential the create could have
 * made; send the create again when there is none; or give up without guessing when there are
 * several, or when one of them has a label that cannot tell (it may be this key or another).
 */
export type Look<K> =
  | { readonly _tag: "Take"; readonly key: K }
  | { readonly _tag: "Resend" }
  | { readonly _tag: "Unknown"; readonly candidates: ReadonlyArray<K> }

/** Whether any of `keys` has a label that cannot tell whether it is `sent`'s key. */
const anyUndecided = (keys: ReadonlyArray<LiveCredential>, sent: SentCreate) =>
  keys.some((key) => labelVerdict(key.label, sent.keyText) === "cannot tell")

/** The look after an ambiguous attempt: `keys` are the live credentials of the provider and workspace. */
export const judgeLook = <K extends LiveCredential>(keys: ReadonlyArray<K>, sent: SentCreate, sinceMillis: number): Look<K> => {
  const candidates = keys.filter((key) => couldHaveMade(key, sent, sinceMillis))
  if (candidates.length === 0) return { _tag: "Resend" }
  return candidates.length === 1 && !anyUndecided(candidates, sent) ? { _tag: "Take", key: candidates[0]! } : { _tag: "Unknown", candidates }
}

/**
 * What the last look, after a resend that succeeded with `created`, decides: nothing else appeared
 * (`Retried`); the first attempt's credential appeared after all and is to be removed; or several,
 * or one whose label cannot tell, and the caller must decide.
 */
export type LastLook<K> =
  | { readonly _tag: "Retried" }
  | { readonly _tag: "RemoveDuplicate"; readonly duplicate: K }
  | { readonly _tag: "Unknown"; readonly candidates: ReadonlyArray<K> }

/** The look after a resend that made `created`. */
export const judgeLastLook = <K extends LiveCredential>(
  keys: ReadonlyArray<K>,
  created: K,
  sent: SentCreate,
  sinceMillis: number
): LastLook<K> => {
  const others = keys.filter((key) => key.id !== created.id && couldHaveMade(key, sent, sinceMillis))
  if (others.length === 0) return { _tag: "Retried" }
  return others.length === 1 && !anyUndecided(others, sent)
    ? { _tag: "RemoveDuplicate", duplicate: others[0]! }
    : { _tag: "Unknown", candidates: [created, ...others] }
}
