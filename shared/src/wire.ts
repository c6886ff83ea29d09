/**
 * The API's JSON, as plain types: a credential as the server sends it (snake_case), and the bodies
 * of create and update once a line's input schema has checked them.
 */

/** A credential exactly as the API sends it (the contract's `BYOKKey`). */
export interface WireKey {
  readonly id: string
  readonly provider: string
  readonly workspace_id: string | null
  readonly label: string
  readonly name?: string | null
  readonly disabled: boolean
  readonly is_fallback: boolean
  readonly is_required: boolean
  readonly is_byok_only: boolean
  readonly declared_zdr: boolean | null
  readonly allowed_models: ReadonlyArray<string> | null
  readonly allowed_api_key_hashes: ReadonlyArray<string> | null
  readonly allowed_user_ids: ReadonlyArray<string> | null
  readonly sort_order: number
  readonly created_at: string
}

/** The settings create and update share: on create they set, on update they change (`null` clears). */
export interface WireSettings {
  readonly name?: string | null
  readonly disabled?: boolean
  readonly is_fallback?: boolean
  readonly is_byok_only?: boolean
  readonly is_required?: boolean
  readonly declared_zdr?: boolean | null
  readonly allowed_models?: ReadonlyArray<string> | null
  readonly allowed_api_key_hashes?: ReadonlyArray<string> | null
  readonly allowed_user_ids?: ReadonlyArray<string> | null
}

/** A create body, checked. */
export interface WireCreate extends WireSettings {
  readonly provider: string
  readonly key: string
  readonly workspace_id?: string
}

/** An update body, checked. */
export interface WireUpdate extends WireSettings {
  readonly key?: string
}

/** A UUID, as ids and workspace ids are. */
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
