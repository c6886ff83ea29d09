/**
 * What a client leaves keeping the Node process alive: timers, and its sockets to a loopback
 * server. Interruption and cleanup are asserted with these, so a request that is aborted but leaves
 * its timeout timer or its connection behind still fails.
 */
import * as net from "node:net"
import { until } from "./harness.js"

/** Counts of the resource kinds that keep the process alive (sockets, timers), by kind. */
const liveResources = (): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}

/** Timers keeping the process alive. */
export const timers = (): number => liveResources()["Timeout"] ?? 0

/**
 * Client sockets to `port` that keep the process alive. An idle pooled keep-alive socket is
 * unref'd by fetch and not listed; a socket still tied to a request is.
 */
export const clientSocketsTo = (port: number): number =>
  (process as unknown as { _getActiveHandles(): Array<unknown> })._getActiveHandles()
    .filter((h): h is net.Socket => h instanceof net.Socket && h.remotePort === port && !h.destroyed).length

/** Waits, turn by turn of the event loop, until no client socket to `port` keeps the process alive. */
export const noClientSocketsTo = (port: number): Promise<void> =>
  until(() => clientSocketsTo(port) === 0, `no client socket to port ${port} left open`, 1_200)
