import NIOCore
import Testing

@testable import PGWire

@Suite struct AuthenticationCryptoTests {
    @Test func md5PasswordHashMatchesPostgreSQL() {
        let hash = MD5Password.hash(user: "alice", password: "secret", salt: 0x0102_0304)
        #expect(hash.hasPrefix("md5"))
        #expect(hash.count == 35)
        #expect(hash == MD5PasswordTestVector.expected)
    }

    @Test func base64RoundTripsAndRejectsGarbage() {
        #expect(Base64.encode(Array("n,,".utf8)) == Array("biws".utf8))
        #expect(Base64.encode(Array("f".utf8)) == Array("Zg==".utf8))
        #expect(Base64.encode(Array("fo".utf8)) == Array("Zm8=".utf8))
        #expect(Base64.decode(Array("Zm9vYmFy".utf8)) == Array("foobar".utf8))
        #expect(Base64.decode(Array("Zg==".utf8)) == Array("f".utf8))
        #expect(Base64.decode(Array("Zg=".utf8)) == nil)
        #expect(Base64.decode(Array("Z=g=".utf8)) == nil)
        #expect(Base64.decode(Array("Zm9v!mFy".utf8)) == nil)
    }

    /// RFC 7677 section 3: the SCRAM-SHA-256 example exchange.
    @Test func scramMatchesTheRFC7677Example() throws {
        var client = SCRAMSHA256Client(username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(client.clientFirstMessage() == Array("n,,n=user,r=rOprNGfwEbeRWgbNEkqO".utf8))
        let serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        let clientFinal = try client.receiveServerFirst(ByteBuffer(string: serverFirst))
        let expectedFinal =
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        #expect(String(decoding: clientFinal, as: UTF8.self) == expectedFinal)
        #expect(!client.isVerified)
        try client.verifyServerFinal(ByteBuffer(string: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
        #expect(client.isVerified)
    }

    @Test func scramRejectsAWrongServerSignature() throws {
        var client = SCRAMSHA256Client(username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        _ = client.clientFirstMessage()
        _ = try client.receiveServerFirst(
            ByteBuffer(string: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        )
        #expect(throws: PGWireError.self) {
            try client.verifyServerFinal(ByteBuffer(string: "v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
        }
        #expect(!client.isVerified)
    }

    @Test func scramRejectsANonceThatDoesNotExtendOurs() {
        var client = SCRAMSHA256Client(username: "", password: "pw", clientNonce: "abc")
        _ = client.clientFirstMessage()
        #expect(throws: PGWireError.self) {
            try client.receiveServerFirst(ByteBuffer(string: "r=xyz123,s=QUJD,i=4096"))
        }
    }

    @Test func scramRejectsMalformedServerFirst() {
        for serverFirst in [
            "", "r=abcdef", "r=abcdef,s=!!!!,i=1", "r=abcdef,s=QUJD,i=0", "r=abcdef,s=QUJD,i=x", "garbage",
        ] {
            var client = SCRAMSHA256Client(username: "", password: "pw", clientNonce: "abc")
            _ = client.clientFirstMessage()
            #expect(throws: PGWireError.self, "\(serverFirst)") {
                try client.receiveServerFirst(ByteBuffer(string: serverFirst))
            }
        }
    }

    @Test func scramReportsServerErrors() throws {
        var client = SCRAMSHA256Client(username: "", password: "pw", clientNonce: "abc")
        _ = client.clientFirstMessage()
        _ = try client.receiveServerFirst(ByteBuffer(string: "r=abcdef,s=QUJD,i=1"))
        do {
            try client.verifyServerFinal(ByteBuffer(string: "e=invalid-proof"))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .authenticationFailed)
            #expect(error.detail.contains("invalid-proof"))
        }
    }

    @Test func usernameIsEscaped() {
        var client = SCRAMSHA256Client(username: "a=b,c", password: "pw", clientNonce: "n")
        #expect(client.clientFirstMessage() == Array("n,,n=a=3Db=2Cc,r=n".utf8))
    }

    @Test func saltedPasswordCacheIsConsulted() throws {
        final class CountingCache: SCRAMSaltedPasswordCache, @unchecked Sendable {
            var computed = 0
            var stored: [UInt8]?
            func saltedPassword(password: String, salt: [UInt8], iterations: Int, compute: () -> [UInt8]) -> [UInt8] {
                if let stored { return stored }
                self.computed += 1
                let value = compute()
                self.stored = value
                return value
            }
        }
        let cache = CountingCache()
        var finals: [[UInt8]] = []
        for _ in 0..<2 {
            var client = SCRAMSHA256Client(username: "", password: "pw", clientNonce: "abc", saltedPasswordCache: cache)
            _ = client.clientFirstMessage()
            finals.append(try client.receiveServerFirst(ByteBuffer(string: "r=abcdef,s=QUJD,i=4096")))
        }
        #expect(cache.computed == 1)
        #expect(finals[0] == finals[1])
    }
}

enum MD5PasswordTestVector {
    /// "md5" + md5hex(md5hex("secret" + "alice") + bytes 01 02 03 04), computed outside this code
    /// base with Python's hashlib.
    static let expected = "md598a0412b9c31436fc53776e863350083"
}
