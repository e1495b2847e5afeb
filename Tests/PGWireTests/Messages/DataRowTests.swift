import NIOCore
import Testing

@testable import PGWire

@Suite struct DataRowTests {
    /// Three columns: NULL, empty, ten bytes.
    static let rowBytes = wire(
        "D",
        .int32(28),
        .int16(3),
        .int32(-1),
        .int32(0),
        .int32(10),
        .raw([UInt8](repeating: 5, count: 10))
    )

    @Test func decodesThroughTheVerifier() throws {
        let expected = DataRow(columns: [nil, ByteBuffer(), ByteBuffer(repeating: 5, count: 10)])
        try verifyDecoding([(Self.rowBytes, [.dataRow(expected)])])
    }

    @Test func columnsAreSlicesOfTheReceiveBuffer() throws {
        guard case .dataRow(let row) = try decodeOne(Self.rowBytes) else {
            Issue.record("not a DataRow")
            return
        }
        #expect(row.columnCount == 3)
        #expect(row.column(0) == nil)
        #expect(row.column(1) == ByteBuffer())
        #expect(row.column(2) == ByteBuffer(repeating: 5, count: 10))
        // The row's bytes share storage with the input: no copy on decode.
        let rowPointer = row.bytes.withUnsafeReadableBytes { $0.baseAddress }
        let inputPointer = Self.rowBytes.withUnsafeReadableBytes { $0.baseAddress }
        #expect(rowPointer == inputPointer.map { $0 + 7 })
        #expect(Array(row) == [nil, ByteBuffer(), ByteBuffer(repeating: 5, count: 10)])
    }

    @Test func zeroColumnRow() throws {
        try verifyDecoding([(wire("D", .int32(6), .int16(0)), [.dataRow(DataRow(columns: []))])])
    }

    @Test func columnLongerThanThePayloadIsTruncated() {
        do {
            _ = try decodeOne(wire("D", .int32(14), .int16(1), .int32(100), .raw([1, 2, 3, 4])))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .truncated)
            #expect(error.messageName == "DataRow")
        }
    }

    @Test func missingColumnIsTruncated() {
        #expect(throws: PGWireError.self) { try decodeOne(wire("D", .int32(10), .int16(2), .int32(-1))) }
    }

    @Test func negativeLengthsOtherThanNullAreInvalid() {
        do {
            _ = try decodeOne(wire("D", .int32(10), .int16(1), .int32(-2)))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .invalidValue)
        }
    }

    @Test func bytesAfterTheLastColumnAreAnError() {
        do {
            _ = try decodeOne(wire("D", .int32(11), .int16(1), .int32(-1), .raw([0])))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .trailingBytes)
        }
    }
}
