/**
 * The testing kit: a fake of the BYOK API for your own tests, in memory or on 127.0.0.1.
 *
 * @since 0.1.0
 */

/**
 * The fake API, its faults, and its layers.
 *
 * @since 0.1.0
 */
export * from "./FakeByokApi.js"
