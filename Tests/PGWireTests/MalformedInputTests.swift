import NIOCore
import Testing

@testable import PGWire

/// Bad bytes from the network: each must be a typed error naming the message, decided from the
/// header alone where possible, never a crash or a wait for gigabytes.
@Suite struct MalformedInputTests {
    private func expectError(
        _ bytes: ByteBuffer,
        kind: PGWireError.Kind,
        messageName: String,
        maximumMessageLength: Int = 64 << 20,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            let message = try decodeOne(bytes, maximumMessageLength: maximumMessageLength)
            Issue.record("expected \(kind), decoded \(String(describing: message))", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == kind, sourceLocation: sourceLocation)
            #expect(error.messageName == messageName, sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix(messageName), sourceLocation: sourceLocation)
        }
    }

    @Test func unknownMessageTypeIsRejectedFromTheHeader() {
        expectError(wire("x", .int32(4)), kind: .unknownMessageType, messageName: "message type \"x\" (0x78)")
        // Even the first byte alone is enough to know.
        expectError(wire(.raw([0x00])), kind: .unknownMessageType, messageName: "message type (0x0)")
    }

    @Test func twoGibibyteLengthIsRejectedBeforeThePayloadArrives() {
        // Only the header is present: the decoder must not wait for (or reserve) 2 GiB.
        expectError(wire("D", .int32(Int32.max)), kind: .lengthTooLong, messageName: "DataRow")
        expectError(wire("D", .raw([0x80, 0, 0, 0])), kind: .lengthTooLong, messageName: "DataRow")
        expectError(wire("d", .raw([0xFF, 0xFF, 0xFF, 0xFF])), kind: .lengthTooLong, messageName: "CopyData")
    }

    @Test func defaultMaximumIs64MiB() throws {
        #expect(BackendMessageDecoder().maximumMessageLength == 64 << 20)
        expectError(wire("D", .int32((64 << 20) + 1)), kind: .lengthTooLong, messageName: "DataRow")
        // At the limit the decoder just waits for the payload.
        #expect(try decodeOne(wire("D", .int32(64 << 20))) == nil)
    }

    @Test func configurableMaximumLength() throws {
        expectError(wire("d", .int32(1025)), kind: .lengthTooLong, messageName: "CopyData", maximumMessageLength: 1024)
        try verifyDecoding(
            [
                (
                    wire("d", .int32(1024), .raw([UInt8](repeating: 1, count: 1020))),
                    [.copyData(ByteBuffer(repeating: 1, count: 1020))]
                )
            ],
            maximumMessageLength: 1024
        )
    }

    @Test func lengthBelowFourIsRejected() {
        for length in [0, 1, 2, 3] {
            expectError(wire("C", .int32(Int32(length))), kind: .lengthTooShort, messageName: "CommandComplete")
        }
    }

    @Test func wrongLengthsForFixedSizeMessages() {
        expectError(wire("Z", .int32(6), "II"), kind: .lengthTooLong, messageName: "ReadyForQuery")
        expectError(wire("Z", .int32(4)), kind: .lengthTooShort, messageName: "ReadyForQuery")
        expectError(wire("1", .int32(5), .raw([0])), kind: .lengthTooLong, messageName: "ParseComplete")
        expectError(wire("K", .int32(1000)), kind: .lengthTooLong, messageName: "BackendKeyData")
        expectError(wire("R", .int32(6)), kind: .lengthTooShort, messageName: "Authentication")
    }

    @Test("the fast path for fixed-size messages checks what the general path checks")
    func fixedSizeMessagesWithoutASlice() throws {
        expectError(wire("Z", .int32(5), "X"), kind: .invalidValue, messageName: "ReadyForQuery")
        var decoder = BackendMessageDecoder()
        var buffer = wire("2", .int32(4))
        buffer.writeImmutableBuffer(wire("Z", .int32(5), "T"))
        buffer.writeImmutableBuffer(wire("n", .int32(4)))
        #expect(try decoder.decode(buffer: &buffer) == .bindComplete)
        #expect(try decoder.decode(buffer: &buffer) == .readyForQuery(.inTransaction))
        #expect(try decoder.decode(buffer: &buffer) == .noData)
        #expect(buffer.readableBytes == 0)
    }

    @Test func truncatedMessagesWaitForMoreBytes() throws {
        // A partial frame is not an error: it returns nil and leaves the buffer as it was.
        var decoder = BackendMessageDecoder()
        var buffer = wire("Z", .int32(5))
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readableBytes == 5)
        buffer.writeString("I")
        #expect(try decoder.decode(buffer: &buffer) == .readyForQuery(.idle))
        #expect(buffer.readableBytes == 0)
    }

    @Test func payloadShorterThanItsFieldsIsTruncated() {
        expectError(wire("S", .int32(6), "a\0"), kind: .truncated, messageName: "ParameterStatus")
        expectError(wire("A", .int32(10), .int32(1), "c\0"), kind: .truncated, messageName: "NotificationResponse")
    }

    @Test func decodeLastWithLeftoverBytesReturnsNothing() throws {
        var decoder = BackendMessageDecoder()
        var buffer = wire("Z", .int32(5))
        #expect(try decoder.decodeLast(buffer: &buffer, seenEOF: true) == nil)
    }

    @Test func publicDecodeRejectsPayloadsDirectly() {
        var payload = ByteBuffer()
        #expect(throws: PGWireError.self) { try BackendMessage.decode(id: UInt8(ascii: "Z"), payload: &payload) }
        var extra = ByteBuffer(bytes: [1])
        #expect(throws: PGWireError.self) { try BackendMessage.decode(id: UInt8(ascii: "1"), payload: &extra) }
        var unknown = ByteBuffer()
        #expect(throws: PGWireError.self) { try BackendMessage.decode(id: 0xFF, payload: &unknown) }
    }
}
