import { createRecoveryLoopback } from "../../../shared/behaviour/suites/createRecovery.js"
import { run } from "./register.js"

run(createRecoveryLoopback)
