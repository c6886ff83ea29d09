import { properties } from "../../../shared/behaviour/suites/properties.js"
import { run } from "./register.js"

run(properties)
