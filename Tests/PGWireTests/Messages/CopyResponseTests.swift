import NIOCore
import Testing

@testable import PGWire

@Suite struct CopyResponseTests {
    @Test func copyInOutAndBothResponses() throws {
        try verifyDecoding([
            (
                wire("G", .int32(11), .int8(0), .int16(2), .int16(0), .int16(0)),
                [.copyInResponse(CopyResponse(format: .text, columnFormats: [.text, .text]))]
            ),
            (
                wire("H", .int32(9), .int8(1), .int16(1), .int16(1)),
                [.copyOutResponse(CopyResponse(format: .binary, columnFormats: [.binary]))]
            ),
            (
                wire("W", .int32(7), .int8(0), .int16(0)),
                [.copyBothResponse(CopyResponse(format: .text, columnFormats: []))]
            ),
        ])
    }

    @Test func columnCountMustMatchTheBytes() {
        // Claims 1000 columns with two bytes of codes: rejected before reserving anything.
        #expect(throws: PGWireError.self) { try decodeOne(wire("G", .int32(9), .int8(0), .int16(1000), .int16(0))) }
        #expect(throws: PGWireError.self) { try decodeOne(wire("G", .int32(9), .int8(0), .int16(-1), .int16(0))) }
    }

    @Test func unknownFormatCodesAreRejected() {
        #expect(throws: PGWireError.self) { try decodeOne(wire("H", .int32(7), .int8(2), .int16(0))) }
        #expect(throws: PGWireError.self) { try decodeOne(wire("H", .int32(9), .int8(1), .int16(1), .int16(7))) }
    }
}
