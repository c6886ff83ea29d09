import { requests } from "../../../shared/behaviour/suites/requests.js"
import { run } from "./register.js"

run(requests)
