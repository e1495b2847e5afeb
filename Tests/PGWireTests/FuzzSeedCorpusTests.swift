import Foundation
import NIOCore
import Testing

@testable import PGWire

/// One well-formed byte vector per backend message, used as the fuzzer's seed corpus
/// (Scripts/fuzz-decoder.sh writes them out through this suite) and checked here to decode.
enum BackendTestVectors {
    // Byte vectors keep one message (or field group) per line.
    // swift-format-ignore
    static let all: [(name: String, bytes: ByteBuffer)] = [
        ("authentication-ok", wire("R", .int32(8), .int32(0))),
        ("authentication-cleartext", wire("R", .int32(8), .int32(3))),
        ("authentication-md5", wire("R", .int32(12), .int32(5), .raw([1, 2, 3, 4]))),
        ("authentication-gss-continue", wire("R", .int32(11), .int32(8), "gss")),
        ("authentication-sasl", wire("R", .int32(23), .int32(10), "SCRAM-SHA-256\0", "\0")),
        ("authentication-sasl-continue", wire("R", .int32(30), .int32(11), "r=abcdef,s=QUJD,i=4096")),
        ("authentication-sasl-final", wire("R", .int32(13), .int32(12), "v=xyz")),
        ("backend-key-data", wire("K", .int32(12), .int32(1234), .raw([1, 2, 3, 4]))),
        ("backend-key-data-32", wire("K", .int32(40), .int32(1), .raw([UInt8](repeating: 7, count: 32)))),
        ("bind-complete", wire("2", .int32(4))),
        ("close-complete", wire("3", .int32(4))),
        ("command-complete", wire("C", .int32(15), "INSERT 0 5\0")),
        ("copy-in-response", wire("G", .int32(11), .int8(0), .int16(2), .int16(0), .int16(0))),
        ("copy-out-response", wire("H", .int32(9), .int8(1), .int16(1), .int16(1))),
        ("copy-both-response", wire("W", .int32(7), .int8(0), .int16(0))),
        ("copy-data", wire("d", .int32(9), "1\tab\n")),
        ("copy-done", wire("c", .int32(4))),
        ("data-row", DataRowTests.rowBytes),
        ("empty-query-response", wire("I", .int32(4))),
        ("error-response", wire("E", .int32(24), "SERROR\0", "C23505\0", "Mdup\0", "\0")),
        ("function-call-response", wire("V", .int32(12), .int32(4), .raw([0, 0, 0, 7]))),
        ("negotiate-protocol-version", wire("v", .int32(21), .int32(0), .int32(1), "_pq_.abc\0")),
        ("no-data", wire("n", .int32(4))),
        ("notice-response", wire("N", .int32(16), "SNOTICE\0", "Mx\0", "\0")),
        ("notification-response", wire("A", .int32(19), .int32(321), "chan\0", "hello\0")),
        ("parameter-description", wire("t", .int32(14), .int16(2), .int32(23), .int32(25))),
        ("parameter-status", wire("S", .int32(24), "server_version\0", "18.1\0")),
        ("parse-complete", wire("1", .int32(4))),
        ("portal-suspended", wire("s", .int32(4))),
        ("ready-for-query", wire("Z", .int32(5), "I")),
        ("row-description", QueryResponseMessagesTests.rowDescriptionBytes),
        (
            "login-conversation",
            wire(
                "R", .int32(8), .int32(0),
                "S", .int32(24), "server_version\0", "18.1\0",
                "K", .int32(12), .int32(77), .raw([9, 9, 9, 9]),
                "Z", .int32(5), "I"
            )
        ),
        (
            "extended-query-answer",
            wire(
                "1", .int32(4), "2", .int32(4),
                "D", .int32(11), .int16(1), .int32(1), "7",
                "C", .int32(13), "SELECT 1\0",
                "Z", .int32(5), "I"
            )
        ),
    ]
}

@Suite struct FuzzSeedCorpusTests {
    @Test func everySeedDecodesCompletely() throws {
        for (name, bytes) in BackendTestVectors.all {
            var decoder = BackendMessageDecoder()
            var buffer = bytes
            var count = 0
            while let _ = try decoder.decode(buffer: &buffer) {
                count += 1
            }
            #expect(count > 0, "\(name)")
            #expect(buffer.readableBytes == 0, "\(name) left bytes")
        }
        // Every backend message type has a seed.
        let seededIDs = Set(BackendTestVectors.all.compactMap { $0.bytes.getInteger(at: 0, as: UInt8.self) })
        #expect(seededIDs == Set(BackendMessageID.allCases.map(\.rawValue)))
    }

    /// Writes the seeds to the directory named by PGWIRE_FUZZ_SEED_DIR (set by Scripts/fuzz-decoder.sh).
    @Test(.enabled(if: Environment.seedDirectory != nil))
    func writeSeedCorpus() throws {
        let directory = Environment.seedDirectory!
        for (name, bytes) in BackendTestVectors.all {
            let written = FileManager.default.createFile(
                atPath: "\(directory)/\(name)",
                contents: Data(bytes.readableBytesView)
            )
            #expect(written, "\(name)")
        }
    }
}

private enum Environment {
    static var seedDirectory: String? {
        ProcessInfo.processInfo.environment["PGWIRE_FUZZ_SEED_DIR"]
    }
}
