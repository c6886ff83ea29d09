import { createRecovery } from "../../../shared/behaviour/suites/createRecovery.js"
import { run } from "./register.js"

run(createRecovery)
