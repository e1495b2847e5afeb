import NIOCore
import Testing

@testable import PGWire

@Suite struct ErrorFieldsTests {
    /// Every field code the protocol defines, each with a distinct value.
    static let allFields: [(ErrorFieldCode, String)] = ErrorFieldCode.allCases.map { code in
        (code, "value-\(Character(Unicode.Scalar(code.rawValue)))")
    }

    @Test func errorAndNoticeDecodeThroughTheVerifier() throws {
        let error = wire("E", .int32(24), "SERROR\0", "C23505\0", "Mdup\0", "\0")
        let notice = wire("N", .int32(5), "\0")
        try verifyDecoding([
            (
                error,
                [.errorResponse(ErrorFields([(.localizedSeverity, "ERROR"), (.sqlState, "23505"), (.message, "dup")]))]
            ),
            (notice, [.noticeResponse(ErrorFields([]))]),
        ])
    }

    @Test func everyFieldCodeIsFound() throws {
        var payload = ByteBuffer()
        for (code, value) in Self.allFields {
            payload.writeInteger(code.rawValue)
            payload.writeNullTerminatedString(value)
        }
        payload.writeInteger(UInt8(0))
        guard case .errorResponse(let fields) = try decodeOne(backendMessage("E", payload)) else {
            Issue.record("not an ErrorResponse")
            return
        }
        #expect(ErrorFieldCode.allCases.count == 18)
        for (code, value) in Self.allFields {
            #expect(fields.field(code) == value, "field \(code)")
        }
        #expect(fields.sqlState == "value-C")
        #expect(fields.message == "value-M")
        #expect(fields.severity == "value-V")  // the unlocalized severity wins
        #expect(fields.allFields.count == 18)
    }

    @Test func severityFallsBackToTheLocalizedOne() {
        let fields = ErrorFields([(.localizedSeverity, "FEHLER"), (.sqlState, "42P01")])
        #expect(fields.severity == "FEHLER")
        #expect(fields.field(.hint) == nil)
        #expect(fields.description == "FEHLER 42P01 ")
    }

    @Test func missingTerminatorIsTruncated() {
        do {
            _ = try decodeOne(wire("E", .int32(11), "SERROR\0"))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .truncated)
            #expect(error.messageName == "ErrorResponse")
        }
    }

    @Test func unterminatedFieldValueIsTruncated() {
        #expect(throws: PGWireError.self) { try decodeOne(wire("N", .int32(10), "SERROR")) }
    }
}
