import NIOCore
import Testing

@testable import PGWire

/// The answers to queries: RowDescription, ParameterDescription, and the payload-less acknowledgements.
@Suite struct QueryResponseMessagesTests {
    static let fields = [
        RowDescription.Field(
            name: "aid",
            tableOID: 16_384,
            columnAttributeNumber: 1,
            dataTypeOID: 23,
            dataTypeSize: 4,
            typeModifier: -1,
            format: .text
        ),
        RowDescription.Field(
            name: "?column?",
            tableOID: 0,
            columnAttributeNumber: 0,
            dataTypeOID: 25,
            dataTypeSize: -1,
            typeModifier: -1,
            format: .binary
        ),
    ]

    // Byte vectors keep one message (or field group) per line.
    // swift-format-ignore
    static let rowDescriptionBytes = wire(
        "T", .int32(55), .int16(2),
        "aid\0", .int32(16_384), .int16(1), .int32(23), .int16(4), .int32(-1), .int16(0),
        "?column?\0", .int32(0), .int16(0), .int32(25), .int16(-1), .int32(-1), .int16(1)
    )

    @Test func rowDescription() throws {
        try verifyDecoding([(Self.rowDescriptionBytes, [.rowDescription(RowDescription(fields: Self.fields))])])
        guard case .rowDescription(let description) = try decodeOne(Self.rowDescriptionBytes) else {
            Issue.record("not a RowDescription")
            return
        }
        #expect(description.fieldCount == 2)
        #expect(description.fields == Self.fields)
    }

    @Test func rowDescriptionWithBadFormatOrShortFieldIsRejected() {
        let badFormat = wire(
            "T",
            .int32(26),
            .int16(1),
            "a\0",
            .int32(0),
            .int16(0),
            .int32(23),
            .int16(4),
            .int32(-1),
            .int16(3)
        )
        #expect(throws: PGWireError.self) { try decodeOne(badFormat) }
        let short = wire("T", .int32(16), .int16(1), "a\0", .int32(0), .int16(0), .int16(0))
        do {
            _ = try decodeOne(short)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .truncated)
            #expect(error.messageName == "RowDescription")
        }
    }

    @Test func parameterDescription() throws {
        try verifyDecoding([
            (
                wire("t", .int32(14), .int16(2), .int32(23), .int32(25)),
                [.parameterDescription(.init(dataTypes: [23, 25]))]
            ),
            (wire("t", .int32(6), .int16(0)), [.parameterDescription(.init(dataTypes: []))]),
        ])
        #expect(throws: PGWireError.self) { try decodeOne(wire("t", .int32(10), .int16(2), .int32(23))) }
    }

    @Test func payloadlessMessages() throws {
        try verifyDecoding([
            (wire("1", .int32(4)), [.parseComplete]),
            (wire("2", .int32(4)), [.bindComplete]),
            (wire("3", .int32(4)), [.closeComplete]),
            (wire("n", .int32(4)), [.noData]),
            (wire("s", .int32(4)), [.portalSuspended]),
            (wire("I", .int32(4)), [.emptyQueryResponse]),
            (wire("c", .int32(4)), [.copyDone]),
        ])
    }

    @Test func copyDataIsASlice() throws {
        try verifyDecoding([
            (wire("d", .int32(9), "1\tab\n"), [.copyData(ByteBuffer(string: "1\tab\n"))]),
            (wire("d", .int32(4)), [.copyData(ByteBuffer())]),
        ])
    }

    @Test func notificationResponse() throws {
        try verifyDecoding([
            (
                wire("A", .int32(19), .int32(321), "chan\0", "hello\0"),
                [.notificationResponse(NotificationResponse(processID: 321, channel: "chan", payload: "hello"))]
            )
        ])
        #expect(throws: PGWireError.self) { try decodeOne(wire("A", .int32(13), .int32(321), "chan\0")) }
    }

    @Test func functionCallResponse() throws {
        try verifyDecoding([
            (
                wire("V", .int32(12), .int32(4), .raw([0, 0, 0, 7])),
                [.functionCallResponse(ByteBuffer(bytes: [0, 0, 0, 7]))]
            ),
            (wire("V", .int32(8), .int32(-1)), [.functionCallResponse(nil)]),
        ])
        #expect(throws: PGWireError.self) { try decodeOne(wire("V", .int32(10), .int32(4), .raw([0, 0]))) }
        #expect(throws: PGWireError.self) { try decodeOne(wire("V", .int32(8), .int32(-2))) }
    }
}
