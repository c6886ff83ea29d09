/**
 * Plain node:http and node:net servers on 127.0.0.1 for what the fake cannot show: what another
 * origin receives, a body that never ends, the connections a client opens. Each is started by a
 * function that resolves once it listens, and stopped by its `close`.
 */
import assert from "node:assert/strict"
import * as http from "node:http"
import * as net from "node:net"

/** Counters with waiters: `bump("x")`, and `when("x", n)` resolves once `x` has been bumped `n` times. */
export class Signals {
  private readonly counts = new Map<string, number>()
  private readonly waiters: Array<{ readonly name: string; readonly n: number; readonly resolve: () => void }> = []
  count(name: string): number {
    return this.counts.get(name) ?? 0
  }
  bump(name: string): void {
    this.counts.set(name, this.count(name) + 1)
    for (const waiter of this.waiters.slice()) {
      if (waiter.name === name && this.count(name) >= waiter.n) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
  }
  /** Resolves once `name` has reached `n`; fails the test after `withinMillis` of real time. */
  when(name: string, n = 1, withinMillis = 5_000): Promise<void> {
    if (this.count(name) >= n) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(new assert.AssertionError({ message: `"${name}" did not reach ${n} within ${withinMillis} ms (at ${this.count(name)})` }))
      }, withinMillis)
      const waiter = {
        name,
        n,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        }
      }
      this.waiters.push(waiter)
    })
  }
}

/** A request a raw server received, with its whole body. */
export interface SeenRequest {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

export interface RawServer {
  readonly origin: string
  readonly port: number
  readonly seen: Array<SeenRequest>
  /** `connection`, `request`, `request-closed` (the client went away before the answer ended), `socket-closed`. */
  readonly signals: Signals
  close(): Promise<void>
}

/** A plain node:http server on 127.0.0.1; `handler` gets each request once its body has arrived. */
export const rawServer = (
  handler: (request: SeenRequest, response: http.ServerResponse, server: RawServer) => void
): Promise<RawServer> =>
  new Promise((resolve) => {
    const signals = new Signals()
    const seen: Array<SeenRequest> = []
    let raw: RawServer | undefined
    const server = http.createServer((req, res) => {
      signals.bump("request")
      let body = ""
      req.setEncoding("utf8")
      req.on("data", (chunk: string) => (body += chunk))
      res.on("close", () => {
        if (!res.writableFinished) signals.bump("request-closed")
      })
      req.on("end", () => {
        const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body }
        seen.push(entry)
        handler(entry, res, raw!)
      })
    })
    server.on("connection", (socket) => {
      signals.bump("connection")
      socket.on("close", () => signals.bump("socket-closed"))
    })
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      raw = {
        origin: `http://127.0.0.1:${port}`,
        port,
        seen,
        signals,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      }
      resolve(raw)
    })
  })

/** Runs `body` with a raw server, closing it after. */
export const withRawServer = async <A>(
  handler: (request: SeenRequest, response: http.ServerResponse, server: RawServer) => void,
  body: (server: RawServer) => Promise<A>
): Promise<A> => {
  const server = await rawServer(handler)
  try {
    return await body(server)
  } finally {
    await server.close()
  }
}

export interface CountingProxy {
  readonly port: number
  /** Connections clients have opened through the proxy so far. */
  readonly connections: () => number
  close(): Promise<void>
}

/**
 * A TCP proxy on 127.0.0.1 that counts the connections clients open. The target port is asked for
 * as each connection arrives, so the proxy can be listening before the server behind it is.
 */
export const countingProxy = (targetPort: () => number): Promise<CountingProxy> =>
  new Promise((resolve) => {
    let connections = 0
    const sockets = new Set<net.Socket>()
    const server = net.createServer((client) => {
      connections++
      const upstream = net.connect(targetPort(), "127.0.0.1")
      for (const s of [client, upstream]) {
        sockets.add(s)
        s.on("close", () => sockets.delete(s))
        s.on("error", () => {
          client.destroy()
          upstream.destroy()
        })
      }
      client.pipe(upstream)
      upstream.pipe(client)
    })
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        connections: () => connections,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy()
            server.close(() => done())
          })
      }))
  })
