import { security } from "../../../shared/behaviour/suites/security.js"
import { run } from "./register.js"

run(security)
