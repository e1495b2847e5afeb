import NIOCore
import PGWire
import Testing

/// Runs simple and extended queries through the codec against a real PostgreSQL.
@Suite(.serialized) struct QueryIntegrationTests {
    private func connect() async throws -> TestConnection? {
        guard let server = try await IntegrationServer.shared() else {
            return nil
        }
        return try await TestConnection.connect(
            host: server.host,
            port: server.port,
            configuration: StartupConfiguration(user: server.superuser, database: "postgres")
        )
    }

    private func rows(_ messages: [BackendMessage]) -> [[String?]] {
        messages.compactMap { message in
            guard case .dataRow(let row) = message else { return nil }
            return row.map { $0.map { String(buffer: $0) } }
        }
    }

    private func commandCompletes(_ messages: [BackendMessage]) -> [CommandComplete] {
        messages.compactMap { message in
            guard case .commandComplete(let complete) = message else { return nil }
            return complete
        }
    }

    @Test func simpleQueryWithTwoStatements() async throws {
        guard let connection = try await self.connect() else { return }
        let messages = try await connection.send {
            $0.query("SELECT 1 AS one, NULL::text AS nothing, 'x' AS two; SELECT g FROM generate_series(1, 3) AS g")
        }
        let descriptions = messages.compactMap { message -> RowDescription? in
            guard case .rowDescription(let description) = message else { return nil }
            return description
        }
        #expect(descriptions.count == 2)
        #expect(descriptions.first?.fields.map(\.name) == ["one", "nothing", "two"])
        #expect(descriptions.first?.fields.map(\.dataTypeOID) == [23, 25, 25])
        #expect(self.rows(messages) == [["1", nil, "x"], ["1"], ["2"], ["3"]])
        #expect(self.commandCompletes(messages).map(\.rowsAffected) == [1, 3])
        #expect(self.commandCompletes(messages).map(\.tagString) == ["SELECT 1", "SELECT 3"])
        #expect(messages.last == .readyForQuery(.idle))
        await connection.close()
    }

    @Test func extendedQueryWithTextAndBinaryParameters() async throws {
        guard let connection = try await self.connect() else { return }
        var fortyOne = ByteBuffer()
        fortyOne.writeInteger(Int32(41))
        let messages = try await connection.send {
            $0.parse(
                statementName: "s1",
                query: "SELECT $1::int4 + 1 AS answer, $2::text AS label",
                parameterTypes: [23, 25]
            )
            $0.describe(.statement, name: "s1")
            $0.bind(portalName: "", statementName: "s1", parameters: [.binary(fortyOne), .text("hi")])
            $0.execute(portalName: "")
            // The same statement again, asking for the first column in binary.
            $0.bind(
                portalName: "",
                statementName: "s1",
                parameters: [.text("9"), .null],
                resultFormats: [.binary, .text]
            )
            $0.execute(portalName: "")
            $0.close(.statement, name: "s1")
            $0.sync()
        }
        guard messages.count == 11 else {
            Issue.record("unexpected answer: \(messages.map(\.name))")
            return
        }
        #expect(messages[0] == .parseComplete)
        #expect(messages[1] == .parameterDescription(ParameterDescription(dataTypes: [23, 25])))
        guard case .rowDescription(let description) = messages[2] else {
            Issue.record("expected RowDescription, got \(messages[2].name)")
            return
        }
        #expect(description.fields.map(\.name) == ["answer", "label"])
        #expect(messages[3] == .bindComplete)
        #expect(self.rows([messages[4]]) == [["42", "hi"]])
        #expect(self.commandCompletes([messages[5]]).first?.rowsAffected == 1)
        #expect(messages[6] == .bindComplete)
        guard case .dataRow(let binaryRow) = messages[7] else {
            Issue.record("expected DataRow, got \(messages[7].name)")
            return
        }
        #expect(binaryRow.column(0)?.getInteger(at: binaryRow.column(0)!.readerIndex, as: Int32.self) == 10)
        #expect(binaryRow.column(1) == nil)
        #expect(messages[8].name == "CommandComplete")
        #expect(messages[9] == .closeComplete)
        #expect(messages[10] == .readyForQuery(.idle))
        await connection.close()
    }

    @Test func executeWithRowLimitSuspendsThePortal() async throws {
        guard let connection = try await self.connect() else { return }
        let messages = try await connection.send {
            $0.query("BEGIN")
        }
        #expect(messages.last == .readyForQuery(.inTransaction))
        let first = try await connection.send {
            $0.parse(statementName: "", query: "SELECT g FROM generate_series(1, 5) AS g")
            $0.bind(portalName: "p", statementName: "", parameters: [])
            $0.execute(portalName: "p", maxRows: 2)
            $0.execute(portalName: "p", maxRows: 0)
            $0.sync()
        }
        #expect(
            first.map(\.name) == [
                "ParseComplete", "BindComplete", "DataRow", "DataRow", "PortalSuspended", "DataRow", "DataRow",
                "DataRow",
                "CommandComplete", "ReadyForQuery",
            ]
        )
        #expect(self.rows(first) == [["1"], ["2"], ["3"], ["4"], ["5"]])
        #expect(first.last == .readyForQuery(.inTransaction))
        let commit = try await connection.send { $0.query("COMMIT") }
        #expect(commit.last == .readyForQuery(.idle))
        await connection.close()
    }

    @Test func errorsCarryTheirSQLStateAndFailTheTransaction() async throws {
        guard let connection = try await self.connect() else { return }
        let messages = try await connection.send { $0.query("BEGIN; SELECT 1/0") }
        let errors = messages.compactMap { message -> ErrorFields? in
            guard case .errorResponse(let fields) = message else { return nil }
            return fields
        }
        #expect(errors.count == 1)
        #expect(errors.first?.sqlState == "22012")
        #expect(errors.first?.severity == "ERROR")
        #expect(errors.first?.message == "division by zero")
        #expect(errors.first?.field(.routine) != nil)
        #expect(messages.last == .readyForQuery(.failed))
        _ = try await connection.send { $0.query("ROLLBACK") }
        await connection.close()
    }

    @Test func emptyQueryAndCopyOut() async throws {
        guard let connection = try await self.connect() else { return }
        let empty = try await connection.send { $0.query("") }
        #expect(empty == [.emptyQueryResponse, .readyForQuery(.idle)])
        let copy = try await connection.send { $0.query("COPY (SELECT g FROM generate_series(1, 2) AS g) TO STDOUT") }
        #expect(copy.count == 6)
        #expect(copy.first == .copyOutResponse(CopyResponse(format: .text, columnFormats: [.text])))
        #expect(Array(copy[1..<3]) == [.copyData(ByteBuffer(string: "1\n")), .copyData(ByteBuffer(string: "2\n"))])
        #expect(copy[3] == .copyDone)
        #expect(self.commandCompletes(copy).first?.rowsAffected == 2)
        await connection.close()
    }

    @Test func copyInFromTheClient() async throws {
        guard let connection = try await self.connect() else { return }
        _ = try await connection.send { $0.query("CREATE TEMP TABLE pgwire_copy (a int, b text)") }
        let start = try await connection.send {
            $0.query("COPY pgwire_copy FROM STDIN")
            $0.copyData(ByteBuffer(string: "1\tone\n2\ttwo\n"))
            $0.copyDone()
        }
        #expect(start.first == .copyInResponse(CopyResponse(format: .text, columnFormats: [.text, .text])))
        #expect(self.commandCompletes(start).first?.rowsAffected == 2)
        let failed = try await connection.send {
            $0.query("COPY pgwire_copy FROM STDIN")
            $0.copyFail(message: "client changed its mind")
        }
        let failure = failed.compactMap { message -> ErrorFields? in
            guard case .errorResponse(let fields) = message else { return nil }
            return fields
        }
        #expect(failure.first?.sqlState == "57014")
        let count = try await connection.send { $0.query("SELECT count(*) FROM pgwire_copy") }
        #expect(self.rows(count) == [["2"]])
        await connection.close()
    }

    @Test func functionCallFastPath() async throws {
        guard let connection = try await self.connect() else { return }
        // int4abs has OID 1397 in every PostgreSQL release.
        var minusSeven = ByteBuffer()
        minusSeven.writeInteger(Int32(-7))
        let messages = try await connection.send {
            $0.functionCall(functionOID: 1397, arguments: [.binary(minusSeven)], resultFormat: .binary)
        }
        var seven = ByteBuffer()
        seven.writeInteger(Int32(7))
        #expect(messages == [.functionCallResponse(seven), .readyForQuery(.idle)])
        await connection.close()
    }

    @Test func cancelRequestStopsARunningQuery() async throws {
        guard let server = try await IntegrationServer.shared(), let connection = try await self.connect() else {
            return
        }
        let sleeping = connection.start { $0.query("SELECT pg_sleep(20)") }
        // Give the query time to start; a cancel that arrives first is ignored by the server.
        try await Task.sleep(for: .milliseconds(300))
        try await connection.cancel(host: server.host, port: server.port)
        let messages = try await sleeping.get()
        let errors = messages.compactMap { message -> ErrorFields? in
            guard case .errorResponse(let fields) = message else { return nil }
            return fields
        }
        #expect(errors.first?.sqlState == "57014")  // query_canceled
        #expect(messages.last == .readyForQuery(.idle))
        await connection.close()
    }
}
