import { afterAll, describe, it } from "vitest"
import { registerSuite, type Suite } from "../../../shared/behaviour/harness.js"
import { driver } from "../driver.js"

/** Registers a shared suite against this line's driver. */
export const run = (suite: Suite): void => registerSuite(suite, driver, { describe, it, afterAll })
