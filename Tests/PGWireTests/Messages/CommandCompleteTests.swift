import NIOCore
import Testing

@testable import PGWire

@Suite struct CommandCompleteTests {
    @Test func tagsDecodeAsSlicesWithRowCounts() throws {
        func message(_ tag: String) -> ByteBuffer {
            var payload = ByteBuffer()
            payload.writeNullTerminatedString(tag)
            return backendMessage("C", payload)
        }
        try verifyDecoding([
            (message("INSERT 0 5"), [.commandComplete(CommandComplete(tag: ByteBuffer(string: "INSERT 0 5")))]),
            (message("BEGIN"), [.commandComplete(CommandComplete(tag: ByteBuffer(string: "BEGIN")))]),
        ])
        // An explicit vector, so the framing is not only checked against our own helper.
        try verifyDecoding([
            (
                wire("C", .int32(14), "UPDATE 17\0"),
                [.commandComplete(CommandComplete(tag: ByteBuffer(string: "UPDATE 17")))]
            )
        ])
    }

    @Test(arguments: [
        ("INSERT 0 5", Int64?.some(5)),
        ("INSERT 0 0", 0),
        ("UPDATE 17", 17),
        ("DELETE 3", 3),
        ("SELECT 1000000", 1_000_000),
        ("MERGE 2", 2),
        ("MOVE 4", 4),
        ("FETCH 8", 8),
        ("COPY 100", 100),
        ("SELECT 9223372036854775807", Int64.max),
        ("SELECT 9223372036854775808", nil),
        ("BEGIN", nil),
        ("COMMIT", nil),
        ("CREATE TABLE", nil),
        ("SELECT x", nil),
        ("SELECT ", nil),
        ("DROP TABLE 5", nil),
    ])
    func rowsAffected(tag: String, expected: Int64?) {
        let complete = CommandComplete(tag: ByteBuffer(string: tag))
        #expect(complete.rowsAffected == expected)
        #expect(complete.tagString == tag)
    }

    @Test func unterminatedTagIsTruncated() {
        do {
            _ = try decodeOne(wire("C", .int32(10), "SELECT"))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .truncated)
            #expect(error.messageName == "CommandComplete")
        }
    }

    @Test func bytesAfterTheTagAreAnError() {
        do {
            _ = try decodeOne(wire("C", .int32(12), "BEGIN\0xx"))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .trailingBytes)
        }
    }
}
