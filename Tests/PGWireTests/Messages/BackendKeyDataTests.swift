import NIOCore
import Testing

@testable import PGWire

@Suite struct BackendKeyDataTests {
    @Test func fourByteKeyOfProtocol30() throws {
        let key = ByteBuffer(bytes: [1, 2, 3, 4])
        try verifyDecoding([
            (
                wire("K", .int32(12), .int32(1234), .raw([1, 2, 3, 4])),
                [.backendKeyData(.init(processID: 1234, secretKey: key))]
            )
        ])
    }

    @Test func longKeysOfProtocol32UpTo256Bytes() throws {
        let key32 = [UInt8](repeating: 0xAB, count: 32)
        let key256 = [UInt8](repeating: 0xCD, count: 256)
        try verifyDecoding([
            (
                wire("K", .int32(40), .int32(-5), .raw(key32)),
                [.backendKeyData(.init(processID: -5, secretKey: ByteBuffer(bytes: key32)))]
            ),
            (
                wire("K", .int32(264), .int32(9), .raw(key256)),
                [.backendKeyData(.init(processID: 9, secretKey: ByteBuffer(bytes: key256)))]
            ),
        ])
    }

    @Test func keysOutsideFourTo256BytesAreRejected() {
        for keyLength in [0, 3, 257] {
            let bytes = wire(
                "K",
                .int32(Int32(8 + keyLength)),
                .int32(1),
                .raw([UInt8](repeating: 1, count: keyLength))
            )
            #expect(throws: PGWireError.self) { try decodeOne(bytes) }
        }
    }
}
