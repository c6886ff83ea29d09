import { operations } from "../../../shared/behaviour/suites/operations.js"
import { run } from "./register.js"

run(operations)
