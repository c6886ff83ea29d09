import { timing } from "../../../shared/behaviour/suites/timing.js"
import { run } from "./register.js"

run(timing)
