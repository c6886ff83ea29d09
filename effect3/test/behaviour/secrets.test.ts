import { secrets } from "../../../shared/behaviour/suites/secrets.js"
import { run } from "./register.js"

run(secrets)
