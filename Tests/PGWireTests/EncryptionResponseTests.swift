import NIOCore
import Testing

@testable import PGWire

@Suite struct EncryptionResponseTests {
    @Test func sslAnswers() throws {
        var willing = ByteBuffer(string: "S")
        #expect(try EncryptionResponse.decode(buffer: &willing, request: .ssl) == .willing)
        #expect(willing.readableBytes == 0)
        var unwilling = ByteBuffer(string: "N")
        #expect(try EncryptionResponse.decode(buffer: &unwilling, request: .ssl) == .unwilling)
    }

    @Test func gssencAnswers() throws {
        var willing = ByteBuffer(string: "G")
        #expect(try EncryptionResponse.decode(buffer: &willing, request: .gssenc) == .willing)
        var unwilling = ByteBuffer(string: "N")
        #expect(try EncryptionResponse.decode(buffer: &unwilling, request: .gssenc) == .unwilling)
        // "S" is not an answer to GSSENCRequest.
        var wrong = ByteBuffer(string: "S")
        #expect(throws: PGWireError.self) { try EncryptionResponse.decode(buffer: &wrong, request: .gssenc) }
    }

    @Test func noByteYetReturnsNil() throws {
        var empty = ByteBuffer()
        #expect(try EncryptionResponse.decode(buffer: &empty, request: .ssl) == nil)
    }

    @Test func onlyTheOneByteIsConsumed() throws {
        var buffer = ByteBuffer(string: "NR")
        #expect(try EncryptionResponse.decode(buffer: &buffer, request: .ssl) == .unwilling)
        #expect(buffer.readableBytes == 1)
    }

    @Test func errorResponseOrGarbageIsATypedError() {
        var error = ByteBuffer(string: "E")
        do {
            _ = try EncryptionResponse.decode(buffer: &error, request: .ssl)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unexpectedMessage)
            #expect(error.messageName == "SSLRequest response")
        }
        var garbage = ByteBuffer(bytes: [0x16])
        #expect(throws: PGWireError.self) { try EncryptionResponse.decode(buffer: &garbage, request: .ssl) }
    }
}
