import NIOCore
import Testing

@testable import PGWire

@Suite struct FrontendMessageEncoderTests {
    @Test func startupMessageAtProtocol30() {
        let bytes = encode {
            $0.startupMessage(user: "bench", database: "db", parameters: [("application_name", "x")])
        }
        // Byte vectors keep one message (or field group) per line.
        // swift-format-ignore
        let expected = wire(
            .int32(51), .int32(196_608),
            "user\0", "bench\0", "database\0", "db\0", "application_name\0", "x\0", "\0"
        )
        #expect(bytes == expected)
    }

    @Test func startupMessageAtProtocol32WithProtocolOption() {
        let bytes = encode {
            $0.startupMessage(user: "u", database: nil, parameters: [("_pq_.test", "on")], version: .v3_2)
        }
        #expect(bytes == wire(.int32(29), .int32(196_610), "user\0", "u\0", "_pq_.test\0", "on\0", "\0"))
    }

    @Test func sslAndGSSENCRequests() {
        #expect(encode { $0.sslRequest() } == wire(.raw([0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F])))
        #expect(encode { $0.gssencRequest() } == wire(.raw([0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x30])))
    }

    @Test func cancelRequestWithFourByteKey() {
        let bytes = encode { $0.cancelRequest(processID: 4242, secretKey: ByteBuffer(bytes: [1, 2, 3, 4])) }
        #expect(bytes == wire(.int32(16), .int32(80_877_102), .int32(4242), .raw([1, 2, 3, 4])))
    }

    @Test func cancelRequestWithLongProtocol32Key() {
        let key = ByteBuffer(bytes: Array(0..<32))
        let bytes = encode { $0.cancelRequest(processID: 7, secretKey: key) }
        #expect(bytes == wire(.int32(44), .int32(80_877_102), .int32(7), .raw(Array(0..<32))))
    }

    @Test func passwordMessage() {
        #expect(encode { $0.password("pw") } == wire("p", .int32(7), "pw\0"))
    }

    @Test func saslInitialResponseAndResponse() {
        let initial = encode { $0.saslInitialResponse(mechanism: "SCRAM-SHA-256", initialResponse: Array("abc".utf8)) }
        #expect(initial == wire("p", .int32(25), "SCRAM-SHA-256\0", .int32(3), "abc"))
        #expect(encode { $0.saslResponse(Array("xyz".utf8)) } == wire("p", .int32(7), "xyz"))
    }

    @Test func query() {
        #expect(encode { $0.query("SELECT 1") } == wire("Q", .int32(13), "SELECT 1\0"))
    }

    @Test func parseWithParameterTypes() {
        let bytes = encode { $0.parse(statementName: "s", query: "SELECT $1", parameterTypes: [23]) }
        #expect(bytes == wire("P", .int32(22), "s\0", "SELECT $1\0", .int16(1), .int32(23)))
    }

    @Test func bindWithTextParametersWritesNoFormatCodes() {
        let bytes = encode {
            $0.bind(portalName: "", statementName: "s", parameters: [.text("42"), .null], resultFormats: [.binary])
        }
        // Byte vectors keep one message (or field group) per line.
        // swift-format-ignore
        let expected = wire(
            "B", .int32(25), "\0", "s\0",
            .int16(0),  // no parameter format codes: all text
            .int16(2), .int32(2), "42", .int32(-1),
            .int16(1), .int16(1)  // one result format code: binary for every column
        )
        #expect(bytes == expected)
    }

    @Test func bindWithMixedFormatsWritesOneCodePerParameter() {
        let bytes = encode {
            $0.bind(
                portalName: "p",
                statementName: "",
                parameters: [
                    .text("1"), .binary(ByteBuffer(bytes: [0, 0, 0, 2])), .textBytes(ByteBuffer(string: "ab")),
                ]
            )
        }
        // Byte vectors keep one message (or field group) per line.
        // swift-format-ignore
        let expected = wire(
            "B", .int32(38), "p\0", "\0",
            .int16(3), .int16(0), .int16(1), .int16(0),
            .int16(3), .int32(1), "1", .int32(4), .raw([0, 0, 0, 2]), .int32(2), "ab",
            .int16(0)
        )
        #expect(bytes == expected)
    }

    @Test func bindWithAllBinaryWritesOneCode() {
        let bytes = encode {
            $0.bind(portalName: "", statementName: "", parameters: [.binary(ByteBuffer(bytes: [9]))])
        }
        #expect(
            bytes == wire("B", .int32(19), "\0", "\0", .int16(1), .int16(1), .int16(1), .int32(1), .raw([9]), .int16(0))
        )
    }

    @Test func describeAndClose() {
        #expect(encode { $0.describe(.statement, name: "s") } == wire("D", .int32(7), "S", "s\0"))
        #expect(encode { $0.describe(.portal, name: "") } == wire("D", .int32(6), "P", "\0"))
        #expect(encode { $0.close(.portal, name: "p") } == wire("C", .int32(7), "P", "p\0"))
        #expect(encode { $0.close(.statement, name: "s") } == wire("C", .int32(7), "S", "s\0"))
    }

    @Test func executeWithRowLimit() {
        #expect(encode { $0.execute(portalName: "", maxRows: 10) } == wire("E", .int32(9), "\0", .int32(10)))
        #expect(encode { $0.execute(portalName: "p") } == wire("E", .int32(10), "p\0", .int32(0)))
    }

    @Test func fixedFourByteMessages() {
        #expect(encode { $0.sync() } == wire("S", .int32(4)))
        #expect(encode { $0.flush() } == wire("H", .int32(4)))
        #expect(encode { $0.terminate() } == wire("X", .int32(4)))
        #expect(encode { $0.copyDone() } == wire("c", .int32(4)))
    }

    @Test func copyDataAndCopyFail() {
        #expect(encode { $0.copyData(ByteBuffer(bytes: [1, 2, 3])) } == wire("d", .int32(7), .raw([1, 2, 3])))
        #expect(encode { $0.copyFail(message: "boom") } == wire("f", .int32(9), "boom\0"))
    }

    @Test func functionCall() {
        let bytes = encode {
            $0.functionCall(
                functionOID: 1598,
                arguments: [.binary(ByteBuffer(bytes: [0, 0, 0, 5]))],
                resultFormat: .binary
            )
        }
        // Byte vectors keep one message (or field group) per line.
        // swift-format-ignore
        let expected = wire(
            "F", .int32(24), .int32(1598), .int16(1), .int16(1), .int16(1), .int32(4), .raw([0, 0, 0, 5]), .int16(1)
        )
        #expect(bytes == expected)
    }

    @Test func batchedMessagesAreConcatenatedAndFlushResetsTheBuffer() {
        var encoder = FrontendMessageEncoder(buffer: ByteBuffer())
        encoder.parse(statementName: "", query: "SELECT 1")
        encoder.bind(portalName: "", statementName: "", parameters: [])
        encoder.execute(portalName: "")
        encoder.sync()
        let first = encoder.flushBuffer()
        // Byte vectors keep one message (or field group) per line.
        // swift-format-ignore
        let expected = wire(
            "P", .int32(16), "\0", "SELECT 1\0", .int16(0),
            "B", .int32(12), "\0", "\0", .int16(0), .int16(0), .int16(0),
            "E", .int32(9), "\0", .int32(0),
            "S", .int32(4)
        )
        #expect(first == expected)
        #expect(encoder.buffer.readableBytes == 0)
        encoder.sync()
        #expect(encoder.flushBuffer() == wire("S", .int32(4)))
    }

    @Test func encodingAppendsToWhatTheBufferAlreadyHolds() {
        var pending = ByteBuffer()
        pending.writeBytes(wire("S", .int32(4)).readableBytesView)
        var encoder = FrontendMessageEncoder(buffer: pending)
        encoder.flush()
        #expect(encoder.flushBuffer() == wire("S", .int32(4), "H", .int32(4)))
        #expect(encoder.buffer.readableBytes == 0)
    }

    @Test func preEncodedMessageHelpersPatchTheLength() {
        var buffer = ByteBuffer()
        let lengthIndex = buffer.beginPGMessage(id: UInt8(ascii: "Q"))
        buffer.writeNullTerminatedString("SELECT 1")
        buffer.endPGMessage(lengthIndex: lengthIndex)
        #expect(buffer == encode { $0.query("SELECT 1") })
    }
}
