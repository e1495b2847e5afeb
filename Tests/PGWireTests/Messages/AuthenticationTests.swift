import NIOCore
import Testing

@testable import PGWire

@Suite struct AuthenticationTests {
    @Test func everyAuthenticationVariantDecodes() throws {
        let pairs: [(ByteBuffer, [BackendMessage])] = [
            (wire("R", .int32(8), .int32(0)), [.authentication(.ok)]),
            (wire("R", .int32(8), .int32(2)), [.authentication(.kerberosV5)]),
            (wire("R", .int32(8), .int32(3)), [.authentication(.cleartextPassword)]),
            (
                wire("R", .int32(12), .int32(5), .raw([0xDE, 0xAD, 0xBE, 0xEF])),
                [.authentication(.md5Password(salt: 0xDEAD_BEEF))]
            ),
            (wire("R", .int32(8), .int32(7)), [.authentication(.gss)]),
            (wire("R", .int32(11), .int32(8), "gss"), [.authentication(.gssContinue(ByteBuffer(string: "gss")))]),
            (wire("R", .int32(8), .int32(9)), [.authentication(.sspi)]),
            (
                wire("R", .int32(42), .int32(10), "SCRAM-SHA-256-PLUS\0", "SCRAM-SHA-256\0", "\0"),
                [.authentication(.sasl(mechanisms: ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]))]
            ),
            (wire("R", .int32(13), .int32(11), "r=abc"), [.authentication(.saslContinue(ByteBuffer(string: "r=abc")))]),
            (wire("R", .int32(13), .int32(12), "v=xyz"), [.authentication(.saslFinal(ByteBuffer(string: "v=xyz")))]),
        ]
        try verifyDecoding(pairs)
    }

    @Test func unknownAuthenticationCodeIsAnError() {
        #expect(throws: PGWireError.self) { try decodeOne(wire("R", .int32(8), .int32(6))) }
        do {
            _ = try decodeOne(wire("R", .int32(8), .int32(42)))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .invalidValue)
            #expect(error.messageName == "Authentication")
        }
    }

    @Test func unterminatedSASLMechanismListIsTruncated() {
        do {
            _ = try decodeOne(wire("R", .int32(21), .int32(10), "SCRAM-SHA-256"))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .truncated)
        }
    }

    @Test func md5WithShortSaltIsTruncated() {
        do {
            _ = try decodeOne(wire("R", .int32(10), .int32(5), .raw([1, 2])))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .truncated)
        }
    }
}
