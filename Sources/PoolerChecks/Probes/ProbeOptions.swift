import Engine
import Foundation
import NIOCore
import Workload
import Connection

/// The pooler-correctness probes `--probe` can run beside (or instead of) the workload.
public enum ProbeName: String, Sendable, CaseIterable, Codable {
    /// Protocol versions 3.0, 3.2 and 3.9999 and `_pq_.` options at startup; the cancel key's round trip.
    case negotiation
    /// Several Parse/Bind/Execute per Sync with an error in the middle, Flush without Sync, row-limited Execute.
    case pipeline
    /// COPY FROM STDIN ended by CopyFail, COPY TO STDOUT of a large result.
    case copy
    /// LISTEN and a NOTIFY to oneself: does the notification come back through the pooler?
    case notify
    /// Many named statements per connection (more than a pooler caches), Close, DEALLOCATE ALL and DISCARD ALL,
    /// pipelined: 26000 / 42P05 counted, rows checked against their statement (`PreparedChurnProbe`).
    case preparedChurn = "prepared-churn"
    /// Connections reset and stalled under load by a loopback proxy: recovery time, fate of in-flight inserts.
    case faults

    /// Parses `--probe`'s value: names separated by commas, each at most once, `all` for every probe.
    public static func parseList(_ text: String) throws(PgswarmError) -> [ProbeName] {
        var names: [ProbeName] = []
        for part in text.split(separator: ",") {
            let word = part.trimmingCharacters(in: .whitespaces).lowercased()
            if word == "all" {
                names = ProbeName.allCases
                continue
            }
            guard let name = ProbeName(rawValue: word) else {
                let known = ProbeName.allCases.map(\.rawValue).joined(separator: ", ")
                throw PgswarmError(.usage, "unknown probe \"\(word)\" (known: \(known), all)")
            }
            if !names.contains(name) { names.append(name) }
        }
        guard !names.isEmpty else { throw PgswarmError(.usage, "--probe needs at least one probe name") }
        return names
    }
}

/// How the probes run: which, how often, how many at once, how long to wait for any one reply.
public struct ProbeOptions: Sendable, Equatable {
    public var names: [ProbeName] = []
    /// Rounds of each probe on each of its connections.
    public var rounds: Int = 3
    /// Probe connections working at once (pipeline, copy, notify).
    public var clients: Int = 2
    /// negotiation: after its rounds, open this many connections at once (all cases mixed), each holding a short
    /// query, so that a pooler with a small pool queues them; every one must still negotiate correctly.
    public var storm: Int = 0
    /// The longest wait for any one reply before it counts as a timeout.
    public var timeoutSeconds: Double = 10
    /// `--pooler-stats`: poll PgBouncer's admin console during the run (see `PoolerStatsPoller`).
    public var poolerStats = false
    /// `HOST:PORT` of the console; nil: the run's own endpoint.
    public var poolerStatsAddress: String?

    public init(names: [ProbeName] = []) {
        self.names = names
    }

    public var isEmpty: Bool { names.isEmpty }

    /// `timeoutSeconds` as the wait every probe hands to its reads.
    var timeout: TimeAmount { .nanoseconds(Int64(timeoutSeconds * 1e9)) }
}

extension ProbeOptions {
    /// A spec's `[probe]` table (names already checked by the spec parser); the command line's options win.
    package mutating func apply(_ probe: SpecProbe) {
        names = probe.names.compactMap(ProbeName.init(rawValue:))
        if let rounds = probe.rounds { self.rounds = rounds }
        if let clients = probe.clients { self.clients = clients }
        if let storm = probe.storm { self.storm = storm }
        if let timeout = probe.timeoutSeconds { timeoutSeconds = timeout }
        if probe.poolerStats { poolerStats = true }
        if let address = probe.poolerStatsAddress { poolerStatsAddress = address }
    }
}
