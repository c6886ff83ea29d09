import { validation } from "../../../shared/behaviour/suites/validation.js"
import { run } from "./register.js"

run(validation)
