import { contract } from "../../../shared/behaviour/suites/contract.js"
import { run } from "./register.js"

run(contract)
