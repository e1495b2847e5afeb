import NIOCore
import Testing
import Workload

@testable import Engine

/// What one execution of a statement puts on the wire: the messages libpq (and so pgbench) sends for the same -M,
/// so that the server does the same work for both tools.
@Suite("StatementEncoder: pgbench's messages")
struct StatementEncoderTests {
    /// The message type bytes of `buffer`, in order (each message: a type byte, then its length including itself).
    static func messageTypes(_ buffer: ByteBuffer) -> String {
        var rest = buffer
        var types = ""
        while let type = rest.readInteger(as: UInt8.self), let length = rest.readInteger(as: Int32.self) {
            types.append(Character(UnicodeScalar(type)))
            rest.moveReaderIndex(forwardBy: Int(length) - 4)
        }
        return types
    }

    static func encode(_ mode: QueryMode, includeParse: Bool) throws -> String {
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: mode, scale: 1, randomSeed: 1)
        let encoder = StatementEncoder(plan: plan)
        var runner = ScriptRunner(plan: plan, clientID: 0)
        runner.beginTransaction()
        guard case .sql(let command) = try runner.next() else {
            Issue.record("expected SQL")
            return ""
        }
        var out = ByteBuffer()
        encoder.write(command: 0, command, runner: runner, includeParse: includeParse, withSync: true, into: &out)
        return messageTypes(out)
    }

    @Test("simple: Query; extended: Parse Bind Describe Execute Sync; prepared: the same, Parse on first use only")
    func messagesPerMode() throws {
        #expect(try Self.encode(.simple, includeParse: false) == "Q")
        #expect(try Self.encode(.extended, includeParse: true) == "PBDES")
        #expect(try Self.encode(.prepared, includeParse: true) == "PBDES")
        #expect(try Self.encode(.prepared, includeParse: false) == "BDES")
    }
}
