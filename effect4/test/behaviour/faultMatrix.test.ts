import { faultMatrix } from "../../../shared/behaviour/suites/faultMatrix.js"
import { run } from "./register.js"

run(faultMatrix)
