import Crypto
import NIOCore

/// Lets many connections of one role share the PBKDF2 work of SCRAM (thousands of HMAC rounds per
/// login), which otherwise dominates a connection storm's client CPU. Implementations must be
/// thread-safe; the key is the password with the salt and iteration count the server chose.
public protocol SCRAMSaltedPasswordCache: Sendable {
    /// Returns the cached salted password for (password, salt, iterations), or calls `compute` and
    /// keeps its result.
    func saltedPassword(password: String, salt: [UInt8], iterations: Int, compute: () -> [UInt8]) -> [UInt8]
}

/// The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding, as PostgreSQL
/// uses it over plain TCP or TLS without `-PLUS`.
///
/// Call `clientFirstMessage()`, pass the server's AuthenticationSASLContinue data to
/// `receiveServerFirst(_:)` and send what it returns, then pass AuthenticationSASLFinal's data to
/// `verifyServerFinal(_:)`, which proves the server knew the password too.
///
/// The password is used as its UTF-8 bytes without SASLprep normalisation; for ASCII passwords
/// (and any already in NFKC form without mapped characters) this is what the server computes.
public struct SCRAMSHA256Client {
    /// The SASL mechanism name to announce in SASLInitialResponse.
    public static let mechanism = "SCRAM-SHA-256"

    private enum State {
        case initial
        case sentClientFirst(clientFirstBare: [UInt8])
        case sentClientFinal(expectedServerSignature: [UInt8])
        case verified
    }

    private let username: String
    private let password: String
    private let clientNonce: [UInt8]
    private let saltedPasswordCache: (any SCRAMSaltedPasswordCache)?
    private var state: State = .initial

    /// - Parameters:
    ///   - username: sent in the client-first message; PostgreSQL ignores it (it uses the startup
    ///     user), so "" is fine there.
    ///   - clientNonce: printable ASCII without commas; random when nil. Tests pin it.
    public init(
        username: String,
        password: String,
        clientNonce: String? = nil,
        saltedPasswordCache: (any SCRAMSaltedPasswordCache)? = nil
    ) {
        self.username = username
        self.password = password
        self.clientNonce = clientNonce.map { Array($0.utf8) } ?? Self.randomNonce()
        self.saltedPasswordCache = saltedPasswordCache
    }

    /// The client-first message: GS2 header `n,,` (no channel binding) and `n=user,r=nonce`.
    public mutating func clientFirstMessage() -> [UInt8] {
        var bare = Array("n=".utf8)
        for byte in self.username.utf8 {
            switch byte {
            case UInt8(ascii: "="): bare += Array("=3D".utf8)
            case UInt8(ascii: ","): bare += Array("=2C".utf8)
            default: bare.append(byte)
            }
        }
        bare += Array(",r=".utf8)
        bare += self.clientNonce
        self.state = .sentClientFirst(clientFirstBare: bare)
        return Array("n,,".utf8) + bare
    }

    /// Checks the server-first message and returns the client-final message with the proof.
    public mutating func receiveServerFirst(_ serverFirst: ByteBuffer) throws(PGWireError) -> [UInt8] {
        guard case .sentClientFirst(let clientFirstBare) = self.state else {
            throw Self.failure("server-first message out of order")
        }
        let serverFirstBytes = Array(serverFirst.readableBytesView)
        var nonce: [UInt8]?
        var salt: [UInt8]?
        var iterations: Int?
        for attribute in serverFirstBytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            guard attribute.count >= 2, attribute[attribute.startIndex + 1] == UInt8(ascii: "=") else {
                throw Self.failure("malformed server-first attribute")
            }
            let value = attribute.dropFirst(2)
            switch attribute[attribute.startIndex] {
            case UInt8(ascii: "r"): nonce = Array(value)
            case UInt8(ascii: "s"):
                guard let decoded = Base64.decode(value), !decoded.isEmpty else {
                    throw Self.failure("salt is not base64")
                }
                salt = decoded
            case UInt8(ascii: "i"):
                guard let count = Int(String(decoding: value, as: UTF8.self)), count > 0, count <= 100_000_000 else {
                    throw Self.failure("bad iteration count")
                }
                iterations = count
            case UInt8(ascii: "m"):
                throw Self.failure("server requires an unsupported SCRAM extension")
            default:
                break  // RFC 5802 reserves unknown attributes for extensions; ignore them.
            }
        }
        guard let nonce, let salt, let iterations else {
            throw Self.failure("server-first message lacks nonce, salt or iteration count")
        }
        guard nonce.count > self.clientNonce.count, nonce.starts(with: self.clientNonce) else {
            throw Self.failure("server nonce does not extend the client nonce")
        }

        let saltedPassword: [UInt8]
        let passwordBytes = Array(self.password.utf8)
        let compute = { PBKDF2.hi(password: passwordBytes, salt: salt, iterations: iterations) }
        if let cache = self.saltedPasswordCache {
            saltedPassword = cache.saltedPassword(
                password: self.password,
                salt: salt,
                iterations: iterations,
                compute: compute
            )
        } else {
            saltedPassword = compute()
        }

        // c=biws is base64("n,,"): the GS2 header, no channel binding.
        let clientFinalWithoutProof = Array("c=biws,r=".utf8) + nonce
        let authMessage =
            clientFirstBare + [UInt8(ascii: ",")] + serverFirstBytes + [UInt8(ascii: ",")]
            + clientFinalWithoutProof

        let saltedKey = SymmetricKey(data: saltedPassword)
        let clientKey = Array(HMAC<SHA256>.authenticationCode(for: Array("Client Key".utf8), using: saltedKey))
        let storedKey = Array(SHA256.hash(data: clientKey))
        let clientSignature = HMAC<SHA256>.authenticationCode(for: authMessage, using: SymmetricKey(data: storedKey))
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverSignature = Self.serverSignature(saltedPassword: saltedPassword, authMessage: authMessage)

        self.state = .sentClientFinal(expectedServerSignature: serverSignature)
        return clientFinalWithoutProof + Array(",p=".utf8) + Base64.encode(proof)
    }

    /// Checks the server-final message: the server must prove it knows the password's verifier.
    public mutating func verifyServerFinal(_ serverFinal: ByteBuffer) throws(PGWireError) {
        guard case .sentClientFinal(let expected) = self.state else {
            throw Self.failure("server-final message out of order")
        }
        let bytes = Array(serverFinal.readableBytesView)
        // Only the first attribute counts; extensions may follow.
        let first = bytes.split(separator: UInt8(ascii: ","), maxSplits: 1).first ?? []
        if first.starts(with: Array("e=".utf8)) {
            throw Self.failure("server reported \(String(decoding: first.dropFirst(2), as: UTF8.self))")
        }
        guard first.starts(with: Array("v=".utf8)), let signature = Base64.decode(first.dropFirst(2)) else {
            throw Self.failure("malformed server-final message")
        }
        guard signature == expected else {
            throw Self.failure("server signature does not match: the server does not know the password")
        }
        self.state = .verified
    }

    /// Whether the server's signature has been verified.
    public var isVerified: Bool {
        if case .verified = self.state { return true }
        return false
    }

    /// `HMAC(HMAC(SaltedPassword, "Server Key"), AuthMessage)`: what the server must send back.
    static func serverSignature(saltedPassword: [UInt8], authMessage: [UInt8]) -> [UInt8] {
        let serverKey = HMAC<SHA256>.authenticationCode(
            for: Array("Server Key".utf8),
            using: SymmetricKey(data: saltedPassword)
        )
        return Array(HMAC<SHA256>.authenticationCode(for: authMessage, using: SymmetricKey(data: serverKey)))
    }

    private static func failure(_ detail: String) -> PGWireError {
        PGWireError(.authenticationFailed, messageName: "SCRAM-SHA-256 exchange", detail: detail)
    }

    /// 18 random bytes in base64: 24 printable characters, never a comma.
    private static func randomNonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return Base64.encode((0..<18).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
