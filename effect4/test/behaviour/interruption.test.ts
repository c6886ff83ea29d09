import { interruption } from "../../../shared/behaviour/suites/interruption.js"
import { run } from "./register.js"

run(interruption)
