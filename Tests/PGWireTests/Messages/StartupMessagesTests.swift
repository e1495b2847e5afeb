import NIOCore
import Testing

@testable import PGWire

/// NegotiateProtocolVersion, ParameterStatus and ReadyForQuery: the rest of the login conversation.
@Suite struct StartupMessagesTests {
    @Test func negotiateProtocolVersion() throws {
        try verifyDecoding([
            (
                wire("v", .int32(28), .int32(0), .int32(2), "_pq_.a\0", "_pq_.bcd\0"),
                [
                    .negotiateProtocolVersion(
                        NegotiateProtocolVersion(newestMinor: 0, unrecognisedOptions: ["_pq_.a", "_pq_.bcd"])
                    )
                ]
            ),
            (
                wire("v", .int32(12), .int32(1), .int32(0)),
                [.negotiateProtocolVersion(NegotiateProtocolVersion(newestMinor: 1, unrecognisedOptions: []))]
            ),
            // What PostgreSQL 15 really sends: the whole version number, 3 << 16 | 0.
            (
                wire("v", .int32(19), .int32(196_608), .int32(1), "_pq_.x\0"),
                [
                    .negotiateProtocolVersion(
                        NegotiateProtocolVersion(newestVersion: .v3_0, unrecognisedOptions: ["_pq_.x"])
                    )
                ]
            ),
        ])
    }

    @Test func negotiateProtocolVersionWithAHugeOptionCountIsRejectedBeforeAllocating() {
        do {
            _ = try decodeOne(wire("v", .int32(14), .int32(0), .int32(Int32.max), "a\0"))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .invalidValue)
            #expect(error.messageName == "NegotiateProtocolVersion")
        }
    }

    @Test func parameterStatus() throws {
        try verifyDecoding([
            (
                wire("S", .int32(24), "server_version\0", "18.1\0"),
                [.parameterStatus(ParameterStatus(name: "server_version", value: "18.1"))]
            )
        ])
        #expect(throws: PGWireError.self) { try decodeOne(wire("S", .int32(10), "name\0x")) }
    }

    @Test func readyForQueryStatuses() throws {
        try verifyDecoding([
            (wire("Z", .int32(5), "I"), [.readyForQuery(.idle)]),
            (wire("Z", .int32(5), "T"), [.readyForQuery(.inTransaction)]),
            (wire("Z", .int32(5), "E"), [.readyForQuery(.failed)]),
        ])
    }

    @Test func readyForQueryWithUnknownStatusIsInvalid() {
        do {
            _ = try decodeOne(wire("Z", .int32(5), "X"))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .invalidValue)
            #expect(error.messageName == "ReadyForQuery")
        }
    }

    @Test func aWholeLoginConversationInOneInput() throws {
        // Byte vectors keep one message (or field group) per line.
        // swift-format-ignore
        let bytes = wire(
            "R", .int32(8), .int32(0),
            "S", .int32(24), "server_version\0", "18.1\0",
            "K", .int32(12), .int32(77), .raw([9, 9, 9, 9]),
            "Z", .int32(5), "I"
        )
        try verifyDecoding([
            (
                bytes,
                [
                    .authentication(.ok),
                    .parameterStatus(ParameterStatus(name: "server_version", value: "18.1")),
                    .backendKeyData(BackendKeyData(processID: 77, secretKey: ByteBuffer(bytes: [9, 9, 9, 9]))),
                    .readyForQuery(.idle),
                ]
            )
        ])
    }
}
