import Crypto

/// PBKDF2-HMAC-SHA256 with a single output block, which is SCRAM-SHA-256's `Hi()` (RFC 5802).
enum PBKDF2 {
    /// `Hi(password, salt, iterations)`: 32 bytes.
    static func hi(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        // Key the HMAC once and copy its state per round: the copy is cheap, re-keying is not,
        // and SCRAM servers ask for thousands of rounds.
        let keyed = HMAC<SHA256>(key: SymmetricKey(data: password))
        var round = keyed
        round.update(data: salt)
        round.update(data: [0, 0, 0, 1])  // INT(1): the first and only block
        var previous = [UInt8](repeating: 0, count: SHA256.byteCount)
        var result = [UInt8](repeating: 0, count: SHA256.byteCount)
        round.finalize().withUnsafeBytes { mac in
            for index in 0..<SHA256.byteCount {
                previous[index] = mac[index]
                result[index] = mac[index]
            }
        }
        for _ in 1..<max(iterations, 1) {
            round = keyed
            round.update(data: previous)
            round.finalize().withUnsafeBytes { mac in
                for index in 0..<SHA256.byteCount {
                    previous[index] = mac[index]
                    result[index] ^= mac[index]
                }
            }
        }
        return result
    }
}
