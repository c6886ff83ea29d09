import { permitPool } from "../../../shared/behaviour/suites/permitPool.js"
import { run } from "./register.js"

run(permitPool)
