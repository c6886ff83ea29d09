/**
 * The Node services the command runner needs, and no more. `NodeServices.layer` would also bring
 * Node's child-process spawner; the runner's environment names a spawner, but the only process
 * byok ever starts is a key command of a desired-state file (`plan`, `apply`), which loads Node's
 * spawner for itself, so the runner gets one that says so.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeStdio from "@effect/platform-node/NodeStdio"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ChildProcessSpawner from "effect/process/ChildProcessSpawner"

const noChildProcesses = Layer.succeed(
  ChildProcessSpawner.ChildProcessSpawner,
  ChildProcessSpawner.make(() => Effect.die(new Error("byok starts a child process only to read a key for plan or apply")))
)

/** File system (for `--api-key-file` and desired-state files), paths, stdio, the terminal, and the spawner that never spawns. */
export const layer = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeStdio.layer, NodeTerminal.layer, noChildProcesses)
