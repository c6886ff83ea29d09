import { workspaces } from "../../../shared/behaviour/suites/workspaces.js"
import { run } from "./register.js"

run(workspaces)
