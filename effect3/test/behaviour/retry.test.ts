import { retry } from "../../../shared/behaviour/suites/retry.js"
import { run } from "./register.js"

run(retry)
