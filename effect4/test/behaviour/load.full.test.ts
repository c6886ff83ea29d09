import { load } from "../../../shared/behaviour/suites/load.js"
import { run } from "./register.js"

run(load)
