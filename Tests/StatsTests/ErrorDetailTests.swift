import Testing

@testable import Stats

@Suite("Errors by severity, SQLSTATE and message")
struct ErrorDetailTests {
    @Test("quoted names and numbers fold, so one kind of error is one key")
    func folding() {
        let first = ErrorDetail(severity: "ERROR", sqlState: "26000", message: "prepared statement \"P_1\" does not exist")
        let second = ErrorDetail(severity: "ERROR", sqlState: "26000", message: "prepared statement \"P_17\" does not exist")
        #expect(first == second)
        #expect(first.message == "prepared statement \"…\" does not exist")
        #expect(ErrorDetail.fold("pool size 20 reached after 1500 ms") == "pool size N reached after N ms")
        #expect(ErrorDetail.fold("no more connections allowed (max_client_conn)")
                == "no more connections allowed (max_client_conn)")
        #expect(ErrorDetail.fold(String(repeating: "x", count: 500)).count == 160)
    }

    @Test("sorted by count, then SQLSTATE and message")
    func order() {
        let a = ErrorDetail(severity: "ERROR", sqlState: "42P05", message: "a")
        let b = ErrorDetail(severity: "FATAL", sqlState: "08P01", message: "server conn crashed?")
        let c = ErrorDetail(severity: "ERROR", sqlState: "26000", message: "c")
        let sorted = ErrorDetailCount.sorted([a: 5, b: 9, c: 5])
        #expect(sorted.map(\.sqlState) == ["08P01", "26000", "42P05"])
        #expect(sorted.first?.count == 9 && sorted.first?.severity == "FATAL")
    }
}
