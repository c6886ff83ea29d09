import { opentelemetry } from "../../../shared/behaviour/suites/opentelemetry.js"
import { run } from "./register.js"

run(opentelemetry)
