import { pagination } from "../../../shared/behaviour/suites/pagination.js"
import { run } from "./register.js"

run(pagination)
