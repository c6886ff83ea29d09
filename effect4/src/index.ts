/**
 * An Effect client for OpenRouter's bring-your-own-key (BYOK) management API.
 *
 * @since 0.1.0
 */

/**
 * The client service, its options and its layers.
 *
 * @since 0.1.0
 */
export * from "./Byok.js"

/**
 * The credential model and the page type.
 *
 * @since 0.1.0
 */
export * from "./ByokKey.js"

/**
 * Input schemas: list, stream, create and update options.
 *
 * @since 0.1.0
 */
export * from "./ByokInput.js"

/**
 * Tagged errors and the error union of each operation.
 *
 * @since 0.1.0
 */
export * as ByokError from "./ByokError.js"

/**
 * Which failures are retried, and the default retry timing.
 *
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"
