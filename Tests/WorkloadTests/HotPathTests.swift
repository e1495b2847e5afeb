import Foundation
import Testing

@testable import Workload

/// The per-transaction path of the built-in scripts: choose the script, run its \set commands (random() and
/// integer arithmetic), read every parameter as text. It must not allocate: heaptrack counts the allocations of
/// this test binary running 2,000 and 52,000 transactions, and the count must not grow with the transactions.
@Suite struct HotPathTests {
    static let transactionsVariable = "PGSWARM_HOT_PATH_TRANSACTIONS"

    static var heaptrack: String? { ProcessRunner.firstExisting(["/usr/bin/heaptrack"]) }

    /// Only in the outer test process, and only where heaptrack is installed.
    static var canMeasure: Bool {
        heaptrack != nil && ProcessInfo.processInfo.environment[transactionsVariable] == nil
    }

    @Test(.enabled(if: canMeasure, "needs heaptrack"))
    func transactionsDoNotAllocate() throws {
        let binary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        func allocations(_ transactions: Int) throws -> Int {
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("pgswarm-heap-\(UUID())").path
            defer { try? FileManager.default.removeItem(atPath: output + ".zst") }
            let run = try ProcessRunner.run(
                Self.heaptrack!,
                [
                    "-o", output, binary, "--testing-library", "swift-testing", "--filter",
                    "tpcbLikeTransactionsRunWithoutErrorsAndFast",
                ],
                timeout: 300,
                extraEnvironment: [Self.transactionsVariable: String(transactions)]
            )
            #expect(run.status == 0, "\(run.stderr.suffix(500))")
            // The inner run says how many transactions it ran: proof that the variable reached it.
            #expect(run.stdout.contains("hot path transactions: \(transactions)"), "\(run.stdout.suffix(500))")
            let printed = try ProcessRunner.run("/usr/bin/heaptrack_print", [output + ".zst"], timeout: 120)
            let line = printed.stdout.split(separator: "\n").first { $0.hasPrefix("calls to allocation functions: ") }
            let count = line?.dropFirst("calls to allocation functions: ".count).prefix { $0.isNumber }
            return try #require(count.flatMap { Int($0) })
        }
        let few = try allocations(2_000)
        let many = try allocations(52_000)
        // 50,000 more transactions (350,000 SQL steps, 200,000 \set) may add only noise (the test framework's own,
        // which varies with the machine's load), far below one allocation per transaction.
        #expect(many - few < 5_000, "\(few) allocations for 2,000 transactions, \(many) for 52,000")
    }

    @Test func tpcbLikeTransactionsRunWithoutErrorsAndFast() throws {
        let transactions =
            ProcessInfo.processInfo.environment["PGSWARM_HOT_PATH_TRANSACTIONS"].flatMap(Int.init)
            ?? 100_000
        let plan = try Plan.compile(sources: [BuiltinScript.tpcbLike], mode: .prepared, scale: 10, randomSeed: 3)
        var runner = ScriptRunner(plan: plan, clientID: 0)
        var checksum: UInt64 = 0
        var sqlCount = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<transactions {
            runner.beginTransaction()
            loop: for _ in 0..<100 {
                switch try runner.next() {
                case .sql(let command):
                    sqlCount += 1
                    // Index loops: a debug build's generic iterators would allocate in this test's own code.
                    let slots = command.parameterSlots
                    var position = 0
                    while position < slots.count {
                        if let value = runner.parameter(slots[position]) {
                            checksum &+= value.withUTF8Text { UInt64($0.count) &+ UInt64($0.count > 0 ? $0[0] : 0) }
                        }
                        position += 1
                    }
                case .endOfScript:
                    break loop
                default:
                    continue
                }
            }
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("hot path transactions: \(transactions)")
        #expect(sqlCount == transactions * 7)
        #expect(checksum > 0)
        // A generous bound even for a debug build on a busy machine: 100k transactions well under 20 s.
        #expect(elapsed < Double(transactions) * 0.0002)
    }
}
