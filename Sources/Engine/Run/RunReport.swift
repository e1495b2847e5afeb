import Foundation
import Stats
import Workload

/// The end of a run: pgbench's summary lines (same wording where pgbench has the figure), our percentiles, and
/// the summary.json record.
struct RunReport {
    let configuration: RunConfiguration
    let plan: Plan
    let preparation: BenchmarkRun.Preparation
    let total: IntervalSnapshot
    let extras: BenchmarkRun.Extras
    let startedAt: Date
    let durationSeconds: Double
    let interrupted: Bool
    let hlogFile: String
    /// What the companions found, in the order they ran.
    let companionReports: [RunCompanionReport]
    /// With the start barrier: the time from the run's start until every client was connected and transactions
    /// began (nil when clients started as they connected).
    var connectPhaseSeconds: Double? = nil
    /// With the start barrier: how many clients were still connecting when the run was stopped (nil for none), so
    /// that nobody had started a transaction.
    var clientsConnectingAtStop: Int? = nil

    private var latency: LatencyHistogram { total.histograms[SeriesLayout.latency] }
    private var connect: LatencyHistogram { total.histograms[SeriesLayout.connect] }
    private var transactions: UInt64 { total.counters.transactions }
    private var failed: UInt64 { total.counters.failedTransactions }
    private func printCompanions(_ print: Benchmark.Printer) {
        for report in companionReports {
            for line in report.lines { print(line) }
        }
    }

    private var connectPhases: ConnectPhasesSummary? {
        let logins = connect.totalCount
        guard logins > 0 else { return nil }
        let scram = total.histograms[SeriesLayout.scram]
        return ConnectPhasesSummary(
            transportMicroseconds: LatencySummary(nanoseconds: total.histograms[SeriesLayout.transport]),
            authenticationMicroseconds: LatencySummary(nanoseconds: total.histograms[SeriesLayout.authentication]),
            readyMicroseconds: LatencySummary(nanoseconds: total.histograms[SeriesLayout.ready]),
            authenticationRoundTrips: Double(extras.counters.authenticationRoundTrips) / Double(logins),
            scramClientMicroseconds: scram.totalCount > 0 ? LatencySummary(nanoseconds: scram) : nil,
            scramCache: configuration.scramCache)
    }

    private var fairness: FairnessSummary? {
        FairnessSummary(transactions: extras.fairness.map(\.transactions),
                        longestStallNanos: extras.fairness.map(\.longestStallNanos),
                        firstClientID: configuration.firstClientID)
    }

    /// pgbench's "initial connection time": the time until every client was connected (the start barrier, as
    /// pgbench's threads connect all their clients before the benchmark begins); when clients started as they
    /// connected, the mean time from the run's start until a client was connected, that is its wait for a connect
    /// slot (`ClientStarter`) plus its connect.
    private var initialConnectionSeconds: Double {
        connectPhaseSeconds ?? (connect.mean / 1e9 + extras.meanStartWaitSeconds)
    }

    /// pgbench's "without initial connection time": the run's time less the time spent connecting.
    private var tpsWithoutConnect: Double { Double(transactions) / measuredSeconds }

    /// The time tps is counted over: the run's, less the initial connection time (except with -C).
    private var measuredSeconds: Double {
        let connectSeconds = configuration.connectPerTransaction ? 0 : initialConnectionSeconds
        return max(durationSeconds - connectSeconds, 1e-9)
    }

    func printSummary(_ print: Benchmark.Printer) {
        let scripts = plan.scripts
        print("pgswarm \(PgswarmVersion.string) (server \(preparation.serverVersion ?? "unknown"), "
              + "protocol \(preparation.protocolVersion))")
        if configuration.hasNoClients {
            print("probes only (no clients)")
            printCompanions(print)
            return
        }
        if scripts.count == 1 {
            print("transaction type: \(scriptLabel(scripts[0].name))")
        } else {
            print("transaction type: multiple scripts")
        }
        print("scaling factor: \(preparation.scale)")
        print("query mode: \(plan.mode.rawValue)")
        print("number of clients: \(max(configuration.clients, configuration.phases.map { max($0.clientsFrom, $0.clientsTo) }.max() ?? 0))")
        print("number of threads: \(configuration.threads)")
        print("maximum number of tries: \(configuration.maxTries)")
        printLength(print)
        let attempted = transactions + failed
        let failedPercent = attempted == 0 ? 0 : 100 * Double(failed) / Double(attempted)
        print("number of failed transactions: \(failed) (\(fixed(failedPercent, 3))%)")
        if configuration.failuresDetailed {
            let errors = total.counters.errorsBySQLState
            let serialization = errors["40001"] ?? 0
            let deadlock = errors["40P01"] ?? 0
            print("number of serialization failures: \(serialization) (\(fixed(percent(serialization, of: attempted), 3))%)")
            print("number of deadlock failures: \(deadlock) (\(fixed(percent(deadlock, of: attempted), 3))%)")
        }
        if configuration.maxTries != 1 {
            let retries = total.counters.retries
            print("total number of retries: \(retries)")
        }
        if configuration.latencyLimitMicroseconds != nil {
            let skipped = total.counters.skippedTransactions
            let late = extras.counters.lateTransactions
            if configuration.isOpenLoop {
                print("number of transactions skipped: \(skipped) (\(fixed(percent(skipped, of: attempted + skipped), 3))%)")
            }
            print("number of transactions above the \(fixed(configuration.latencyLimitMicroseconds! / 1000, 1)) ms "
                  + "latency limit: \(late)/\(attempted) (\(fixed(percent(late, of: attempted), 3))%)")
        }
        print("latency average = \(ms(latency.mean)) ms")
        print("latency stddev = \(ms(latency.stdDeviation)) ms")
        if configuration.isOpenLoop {
            let lag = total.histograms[SeriesLayout.lag]
            print("rate limit schedule lag: avg \(ms(lag.mean)) (max \(ms(Double(lag.max)))) ms")
        }
        if configuration.connectPerTransaction {
            print("average connection time = \(ms(connect.mean)) ms")
            let tps = Double(transactions) / max(durationSeconds, 1e-9)
            print("tps = \(fixed(tps, 6)) (including reconnection times)")
        } else {
            print("initial connection time = \(ms(initialConnectionSeconds * 1e9)) ms")
            print("tps = \(fixed(tpsWithoutConnect, 6)) (without initial connection time)")
            if let connecting = clientsConnectingAtStop {
                print("the run ended before every client was connected: \(connecting) of \(configuration.clients) "
                      + "were still connecting, so no transaction started (clients start together; "
                      + "--start-clients each starts each as soon as it is connected)")
            }
        }
        print("latency percentiles: p50 = \(pct(50)) ms, p90 = \(pct(90)) ms, p99 = \(pct(99)) ms, "
              + "p99.9 = \(pct(99.9)) ms, max = \(ms(Double(latency.max))) ms")
        if let phases = connectPhases {
            var line = "connect phases (p50): transport \(ms(phases.transportMicroseconds.p50 * 1000)) ms, "
                + "authentication \(ms(phases.authenticationMicroseconds.p50 * 1000)) ms "
                + "(\(fixed(phases.authenticationRoundTrips, 1)) round trips), first ReadyForQuery "
                + "\(ms(phases.readyMicroseconds.p50 * 1000)) ms"
            if let scram = phases.scramClientMicroseconds {
                line += "; SCRAM client CPU \(ms(scram.p50 * 1000)) ms (salted password "
                    + (phases.scramCache ? "cached)" : "computed each login)")
            }
            print(line)
        }
        if let fairness, fairness.clients > 1 {
            print("fairness: transactions per client \(fairness.minTransactions)..\(fairness.maxTransactions) "
                  + "(Jain index \(fixed(fairness.jainIndex, 3))), \(fairness.starvedClients) starved (< 10% of the "
                  + "mean); longest a client went without finishing a transaction: "
                  + "\(ms(fairness.longestStallMicroseconds * 1000)) ms (client \(fairness.longestStallClient))")
        }
        if !total.counters.errorsBySQLState.isEmpty {
            let errors = total.counters.errorsBySQLState.sorted { $0.key < $1.key }
                .map { "\($0.key) × \($0.value)" }.joined(separator: ", ")
            print("errors by SQLSTATE: \(errors)")
            // The messages behind them: a pooler's generic SQLSTATE says little, its message says why.
            for detail in ErrorDetailCount.sorted(extras.errorDetails).prefix(5) {
                print("  \(detail.severity) \(detail.sqlState) × \(detail.count): \(detail.message)")
            }
        }
        if configuration.cancelFraction > 0 {
            let toCancel = total.histograms[SeriesLayout.cancel]
            print("cancels: \(extras.counters.cancelsSent) sent, \(extras.counters.cancelsHit) cancelled a query (57014), "
                  + "\(extras.counters.cancelsLate) arrived as the transaction ended, \(extras.counters.cancelsLost) lost (no effect in "
                  + "20 ms), \(extras.counters.cancelsMisdirected) cancelled a "
                  + "later transaction, \(extras.counters.cancelsWrongVictim) queries cancelled without a cancel of their own "
                  + "(wrong victim); time to cancellation "
                  + "p50 = \(ms(Double(toCancel.valueAtPercentile(50)))) ms, max = \(ms(Double(toCancel.max))) ms")
        }
        printCompanions(print)
        let handshakes = total.histograms[SeriesLayout.tls]
        if handshakes.totalCount > 0 {
            print("TLS handshakes: \(handshakes.totalCount), p50 = \(ms(Double(handshakes.valueAtPercentile(50)))) ms, "
                  + "p99 = \(ms(Double(handshakes.valueAtPercentile(99)))) ms, max = \(ms(Double(handshakes.max))) ms "
                  + "(part of the connection time)")
        }
        if extras.counters.notices > 0 {
            print("notices received: \(extras.counters.notices)")
        }
        if extras.counters.lostConnections > 0 {
            print("connections lost during the run: \(extras.counters.lostConnections) "
                  + "(\(total.counters.connections) connections made in all)")
        }
        if extras.counters.abortedClients > 0 {
            print("Run was aborted; the above results are incomplete. (\(extras.counters.abortedClients) clients aborted)")
        }
        if interrupted {
            print("Run was interrupted; the above results cover the time until then.")
        }
        if scripts.count > 1 || configuration.reportPerCommand {
            printScripts(print)
        }
    }

    /// How long the run was meant to be, and how many transactions it did (pgbench's lines, or the phases).
    private func printLength(_ print: Benchmark.Printer) {
        if !configuration.phases.isEmpty {
            let phases = configuration.phases.map { phase in
                "\(phase.name) \(fixed(phase.durationSeconds, 1)) s" + (phase.records ? "" : " (not recorded)")
            }
            print("phases: " + phases.joined(separator: ", "))
            print("number of transactions actually processed: \(transactions)")
            return
        }
        switch configuration.limit {
        case .duration(let seconds):
            print("duration: \(Int(seconds)) s")
            print("number of transactions actually processed: \(transactions)")
        case .transactionsPerClient(let count):
            print("number of transactions per client: \(count)")
            print("number of transactions actually processed: \(transactions)/\(count * configuration.clients)")
        }
    }

    private func printScripts(_ print: Benchmark.Printer) {
        for (index, script) in plan.scripts.enumerated() {
            let histogram = total.histograms[SeriesLayout.script(index)]
            if plan.scripts.count > 1 {
                let share = 100 * Double(script.weight) / Double(max(plan.totalWeight, 1))
                print("SQL script \(index + 1): \(scriptLabel(script.name))")
                print(" - weight: \(script.weight) (targets \(fixed(share, 1))% of total)")
                let count = histogram.totalCount
                print(" - \(count) transactions (\(fixed(percent(count, of: transactions), 1))% of total, "
                      + "tps = \(fixed(Double(count) / measuredSeconds, 6)))")
                print(" - number of failed transactions: \(total.failuresBySeries[SeriesLayout.script(index)])")
                print(" - latency average = \(ms(histogram.mean)) ms")
                print(" - latency stddev = \(ms(histogram.stdDeviation)) ms")
            }
            if configuration.reportPerCommand {
                print(" - statement latencies in milliseconds and failures:")
                for command in plan.sqlCommands where command.scriptIndex == index {
                    let stats = extras.commands[command.index]
                    let mean = stats.count == 0 ? 0 : Double(stats.totalNanos) / Double(stats.count)
                    let text = command.sql.split(separator: "\n").joined(separator: " ")
                    print("    \(pad(ms(mean), 10))  \(pad(String(stats.failures), 10))  \(text)")
                }
            }
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    private func pct(_ p: Double) -> String { ms(Double(latency.valueAtPercentile(p))) }

    private func percent(_ part: UInt64, of whole: UInt64) -> Double {
        whole == 0 ? 0 : 100 * Double(part) / Double(whole)
    }

    private func scriptLabel(_ name: String) -> String {
        name
    }

    func summary() -> RunSummary {
        let rateRun = configuration.isOpenLoop
        let scripts = plan.scripts.enumerated().map { index, script in
            ScriptSummary(
                name: script.name,
                transactions: total.histograms[SeriesLayout.script(index)].totalCount,
                failed: total.failuresBySeries[SeriesLayout.script(index)],
                latencyMicroseconds: LatencySummary(nanoseconds: total.histograms[SeriesLayout.script(index)])
            )
        }
        var summary = RunSummary(
            pgswarmVersion: PgswarmVersion.string,
            mode: plan.mode.rawValue,
            commandLine: configuration.commandLine.joined(separator: " "),
            serverVersion: preparation.serverVersion,
            protocolVersion: preparation.protocolVersion,
            startedAt: startedAt,
            durationSeconds: durationSeconds,
            clients: configuration.clients,
            threads: configuration.threads,
            rate: configuration.rate,
            transactions: transactions,
            failedTransactions: failed,
            skippedTransactions: configuration.latencyLimitMicroseconds != nil ? total.counters.skippedTransactions : nil,
            retries: configuration.maxTries != 1 ? total.counters.retries : nil,
            tps: configuration.connectPerTransaction ? Double(transactions) / max(durationSeconds, 1e-9) : tpsWithoutConnect,
            tpsIncludingConnect: Double(transactions) / max(durationSeconds, 1e-9),
            interrupted: interrupted,
            errorsBySQLState: total.counters.errorsBySQLState,
            latencyMicroseconds: LatencySummary(nanoseconds: latency),
            connectMicroseconds: LatencySummary(nanoseconds: connect),
            serviceMicroseconds: rateRun ? LatencySummary(nanoseconds: total.histograms[SeriesLayout.service]) : nil,
            lagMicroseconds: rateRun ? LatencySummary(nanoseconds: total.histograms[SeriesLayout.lag]) : nil,
            scripts: scripts,
            hlogFile: hlogFile
        )
        summary.lostConnections = extras.counters.lostConnections
        summary.abortedClients = extras.counters.abortedClients
        if configuration.cancelFraction > 0 {
            summary.cancels = CancelSummary(
                sent: extras.counters.cancelsSent, cancelled: extras.counters.cancelsHit, late: extras.counters.cancelsLate, lost: extras.counters.cancelsLost,
                misdirected: extras.counters.cancelsMisdirected, wrongVictim: extras.counters.cancelsWrongVictim,
                timeToCancelMicroseconds: LatencySummary(nanoseconds: total.histograms[SeriesLayout.cancel]))
        }
        if total.histograms[SeriesLayout.tls].totalCount > 0 {
            summary.tlsHandshakeMicroseconds = LatencySummary(nanoseconds: total.histograms[SeriesLayout.tls])
        }
        summary.notices = extras.counters.notices > 0 ? extras.counters.notices : nil
        summary.fairness = fairness
        summary.connectPhases = connectPhases
        if !extras.errorDetails.isEmpty { summary.errorsDetailed = ErrorDetailCount.sorted(extras.errorDetails) }
        for report in companionReports { report.fillSummary(&summary) }
        return summary
    }
}
