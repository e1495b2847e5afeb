import Engine
import Foundation
import Testing
@testable import Connection
@testable import PgbenchCLI

@Suite("--shard and --start-at")
struct ShardTests {
    @Test("clients split as evenly as possible, ids offset so they stay distinct")
    func splitsClients() throws {
        let shards = try (0..<3).map { try ShardSpec(index: $0, count: 3) }
        #expect(try shards.map { try $0.clients(of: 10) } == [4, 3, 3])
        #expect(shards.map { $0.firstClientID(of: 10) } == [0, 4, 7])
        #expect(try ShardSpec(parsing: "1/2") == ShardSpec(index: 1, count: 2))
        #expect(throws: PgswarmError.self) { try ShardSpec(parsing: "2/2") }
        #expect(throws: PgswarmError.self) { try ShardSpec(parsing: "half") }
        #expect(throws: PgswarmError.self) { try ShardSpec(index: 2, count: 3).clients(of: 2) }
    }

    @Test("the options split clients and rate, and parse the start time")
    func options() throws {
        var options = PgbenchOptions()
        options.clients = "10"
        options.jobs = "4"
        options.rate = "1000"
        options.shard = "2/3"
        options.startAt = "2026-01-31T12:00:00Z"
        let configuration = try options.makeRunConfiguration(
            connection: ConnectionSettings(endpoint: .tcp(host: "127.0.0.1", port: 5432), user: "u", database: "d"))
        #expect(configuration.clients == 3)
        #expect(configuration.firstClientID == 7)
        #expect(configuration.threads == 3)
        #expect(abs(configuration.rate! - 300) < 1e-9)
        #expect(configuration.startAt == Date(timeIntervalSince1970: 1_769_860_800))
        #expect(try StartTime.parse("1769860800.5") == Date(timeIntervalSince1970: 1_769_860_800.5))
        #expect(try StartTime.parse("2026-01-31T13:00:00.250+01:00") == Date(timeIntervalSince1970: 1_769_860_800.25))
        #expect(throws: PgswarmError.self) { try StartTime.parse("tomorrow") }
    }
}
