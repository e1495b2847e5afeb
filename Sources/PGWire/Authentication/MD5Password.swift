import Crypto

/// The answer to AuthenticationMD5Password.
public enum MD5Password {
    /// `"md5" + hex(md5(hex(md5(password + user)) + salt))`, as the server expects in a PasswordMessage.
    public static func hash(user: String, password: String, salt: UInt32) -> String {
        let inner = Self.hexDigest(Array(password.utf8) + Array(user.utf8))
        let saltBytes: [UInt8] = [
            UInt8(truncatingIfNeeded: salt >> 24), UInt8(truncatingIfNeeded: salt >> 16),
            UInt8(truncatingIfNeeded: salt >> 8), UInt8(truncatingIfNeeded: salt),
        ]
        return "md5" + String(decoding: Self.hexDigest(inner + saltBytes), as: UTF8.self)
    }

    /// Lower-case hex of the MD5 digest of `bytes`, as ASCII bytes.
    private static func hexDigest(_ bytes: [UInt8]) -> [UInt8] {
        let hexDigits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(32)
        for byte in Insecure.MD5.hash(data: bytes) {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0F)])
        }
        return hex
    }
}
