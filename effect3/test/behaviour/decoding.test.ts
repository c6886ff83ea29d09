import { decoding } from "../../../shared/behaviour/suites/decoding.js"
import { run } from "./register.js"

run(decoding)
