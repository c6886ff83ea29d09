import { layers } from "../../../shared/behaviour/suites/layers.js"
import { run } from "./register.js"

run(layers)
