import Foundation
import Connection

/// `--shard i/N`: this process runs shard i (0-based, as a Kubernetes Indexed Job numbers its pods) of N. The
/// clients are split as evenly as possible, the first `clients % N` shards taking one more; client ids are offset
/// so that every shard's clients stay distinct (`:client_id`, random streams); a rate is split with the clients.
public struct ShardSpec: Equatable, Sendable {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws(PgswarmError) {
        guard count >= 1 else { throw PgswarmError(.usage, "invalid shard count \(count) in --shard: must be >= 1") }
        guard (0..<count).contains(index) else {
            throw PgswarmError(.usage, "invalid shard index \(index) in --shard: must be 0..\(count - 1) (0-based)")
        }
        self.index = index
        self.count = count
    }

    /// "i/N".
    public init(parsing text: String) throws(PgswarmError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(String(parts[0]).trimmingSpaces()),
            let count = Int(String(parts[1]).trimmingSpaces())
        else {
            throw PgswarmError(.usage, "invalid --shard \"\(text)\": expected INDEX/COUNT, e.g. 0/4")
        }
        try self.init(index: index, count: count)
    }

    /// This shard's number of clients out of `total`.
    public func clients(of total: Int) throws(PgswarmError) -> Int {
        let share = total / count + (index < total % count ? 1 : 0)
        guard share > 0 else {
            throw PgswarmError(.usage, "--shard \(index)/\(count) gets no client of \(total) (-c must be >= \(count))")
        }
        return share
    }

    /// The id of this shard's first client: the clients of the shards before it.
    public func firstClientID(of total: Int) -> Int {
        index * (total / count) + min(index, total % count)
    }
}

/// `--start-at TIME`: ISO 8601 (2026-01-31T12:00:00Z, fractions and offsets allowed) or seconds since the epoch.
public enum StartTime {
    public static func parse(_ text: String) throws(PgswarmError) -> Date {
        let trimmed = text.trimmingSpaces()
        if let seconds = Double(trimmed), seconds.isFinite, seconds > 0 {
            return Date(timeIntervalSince1970: seconds)
        }
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: String(trimmed)) ?? withFraction.date(from: String(trimmed)) { return date }
        throw PgswarmError(
            .usage,
            "invalid --start-at \"\(text)\": expected ISO 8601 (2026-01-31T12:00:00Z) or seconds since the epoch"
        )
    }
}
