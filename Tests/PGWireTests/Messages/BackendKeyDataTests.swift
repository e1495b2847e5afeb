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

    @Test("the key is a copy: it must not keep the receive buffer it arrived in alive for the whole connection")
    func keyDoesNotPinTheReceiveBuffer() throws {
        var input = wire("K", .int32(12), .int32(77), .raw([9, 8, 7, 6]))
        let inputRange = input.withUnsafeReadableBytes { bytes in
            UInt(bitPattern: bytes.baseAddress)..<(UInt(bitPattern: bytes.baseAddress) + UInt(bytes.count))
        }
        var decoder = BackendMessageDecoder()
        guard case .backendKeyData(let key) = try decoder.decode(buffer: &input) else {
            Issue.record("expected BackendKeyData")
            return
        }
        #expect(key.secretKey == ByteBuffer(bytes: [9, 8, 7, 6]))
        let keyAddress = key.secretKey.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(!inputRange.contains(keyAddress))
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
