import Foundation
import NIOCore
import NIOPosix
import PGWire
import Stats
import Synchronization
import Workload
import Connection
import DirectIO

/// One benchmark run from preparation to results. See `Benchmark.run`.
struct BenchmarkRun {
    let configuration: RunConfiguration
    let plan: Plan
    let companions: [any RunCompanion]
    let group: MultiThreadedEventLoopGroup
    let print: Benchmark.Printer
    let stop: StopSignal

    /// How long in-flight transactions may take to finish after the end of a duration run, before their
    /// connections are closed.
    static let gracePeriodNanos: UInt64 = 5_000_000_000

    func execute() async throws -> Benchmark.Outcome {
        let preparation = try await prepare()
        let driver = try ClientDriverChoice.choose(configuration.ioDriver, settings: configuration.connection,
                                                   adminUsedTLS: preparation.adminUsedTLS)
        // The direct driver's clients get loops of their own; NIO's group keeps the admin work and the companions.
        let directGroup: DirectEventLoopGroup? = if case .direct = driver {
            DirectEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        } else {
            nil
        }
        defer { directGroup?.shutdownGracefully(queue: .global()) { _ in } }
        let outputDirectory = try makeOutputDirectory()
        let directEndpoint: DirectEndpoint? = if case .direct(let endpoint) = driver { endpoint } else { nil }
        let companionContext = RunCompanionContext(
            configuration: configuration, group: group,
            clientGroup: directGroup.map { $0 as any EventLoopGroup } ?? group,
            directEndpoint: directEndpoint, outputDirectory: outputDirectory, print: print)
        for companion in companions {
            try await companion.start(companionContext)
        }
        if let startAt = configuration.startAt { await waitUntil(startAt) }
        let hlogPath = outputDirectory + "/latency.hlog"
        let wallStart = Date()
        let startNanos = NIODeadline.now().uptimeNanoseconds
        let run = RunContext(plan: plan, configuration: configuration, startNanos: startNanos,
                             variableOverrides: preparation.variableOverrides)
        let hlog = try HlogWriter(path: hlogPath, startTime: wallStart,
                                  comment: "pgswarm \(PgswarmVersion.string) " + configuration.commandLine.joined(separator: " "))

        let loops = directGroup.map { $0.loops.map { $0 as any EventLoop } } ?? Array(group.makeIterator())
        let loopContexts = loops.map { _ in LoopContext(series: run.series, commandCount: plan.sqlCommandCount) }
        let steering: ConnectionSteering? =
            if let directGroup, configuration.alternateLoopsForTesting {
                ConnectionSteering(alternatingBetween: directGroup.loops, contexts: loopContexts)
            } else if case .direct(let endpoint) = driver, let directGroup, configuration.cpuSteering,
               !configuration.connectPerTransaction, ConnectionSteering.applies(to: endpoint) {
                ConnectionSteering(loops: directGroup.loops, contexts: loopContexts)
            } else {
                nil
            }
        var clients: [Client] = []
        var finished: [EventLoopFuture<Void>] = []
        var clientsByLoop = [[Client]](repeating: [], count: loops.count)
        var finishedByLoop = [[EventLoopFuture<Void>]](repeating: [], count: loops.count)
        for clientID in 0..<run.clientCount {
            let index = clientID % loops.count
            let loop = loops[index]
            let done = loop.makePromise(of: Void.self)
            let client = Client(clientID: configuration.firstClientID + clientID, run: run,
                                loopContext: loopContexts[index], loop: loop, driver: driver, done: done,
                                steering: steering)
            clients.append(client)
            finished.append(done.futureResult)
            clientsByLoop[index].append(client)
            finishedByLoop[index].append(done.futureResult)
        }
        for (index, loop) in loops.enumerated() {
            ClientStarter.start(clients: clientsByLoop[index], done: finishedByLoop[index], on: loop,
                                context: loopContexts[index], run: run)
        }
        let allDone = EventLoopFuture.andAllComplete(finished, on: group.next())
        let doneFlag = CompletionFlag()
        allDone.whenComplete { _ in doneFlag.set() }

        // Interval loop: one snapshot per interval from every loop, merged, written, printed.
        let intervalNanos = UInt64(configuration.intervalSeconds * 1e9)
        var intervalStart = startNanos
        var total = IntervalSnapshot(seriesNames: run.series.names)
        let progress = ProgressPrinter(configuration: configuration, print: print)
        var forcedStop = false
        var stopRequestedSeen = 0
        var endWatch = RunEndWatch()
        var failedPerInterval: [UInt64] = []
        // Phase boundaries cut intervals too, so that no interval mixes warmup with what is recorded.
        let boundaries = (run.timeline?.boundaries ?? []).map { startNanos + UInt64($0 * 1e9) }
        var recordedSeconds = 0.0
        while true {
            var nextTick = intervalStart + intervalNanos
            if let boundary = boundaries.first(where: { $0 > intervalStart }), boundary < nextTick {
                nextTick = boundary
            }
            var now = NIODeadline.now().uptimeNanoseconds
            while now < nextTick && !doneFlag.isSet {
                if stop.count != stopRequestedSeen {
                    stopRequestedSeen = stop.count
                    run.requestStop()
                    if stopRequestedSeen >= 2 { forceStop(clients) ; forcedStop = true }
                    else { wakeAll(clients) }
                }
                if let deadline = run.deadlineNanos {
                    if now >= deadline && !run.stopRequested { run.requestStop(); wakeAll(clients) }
                    if now >= deadline + Self.gracePeriodNanos && !forcedStop { forceStop(clients); forcedStop = true }
                }
                endWatch.check(run: run, clients: clients, now: now)
                try? await Task.sleep(nanoseconds: min(nextTick - now, 20_000_000))
                now = NIODeadline.now().uptimeNanoseconds
            }
            let end = min(now, nextTick)
            // Read before collecting: clients that finish after this snapshot is taken are caught by the next one.
            // (Reading it afterwards could end the loop with their last transactions never collected.)
            let allFinished = doneFlag.isSet
            let snapshot = try await collect(loops: loops, contexts: loopContexts, series: run.series)
            let start = Double(intervalStart - startNanos) / 1e9
            let length = Double(end - intervalStart) / 1e9
            // Warmup is run but not recorded: its intervals reach neither the log nor the totals.
            let recorded = run.timeline?.records(at: start + 1e-6) ?? true
            if recorded {
                // Each line reaches the kernel as it is written, so a crash of pgswarm keeps it; fsync once at the end.
                try? writeHlogLines(hlog, snapshot, start: start, length: max(length, 0.001))
                total.merge(snapshot)
                failedPerInterval.append(snapshot.counters.failedTransactions)
                recordedSeconds += length
            }
            for companion in companions {
                await companion.interval(snapshot, endSeconds: Double(end - startNanos) / 1e9)
            }
            progress.interval(snapshot, endSeconds: Double(end - startNanos) / 1e9,
                              endEpochSeconds: wallStart.timeIntervalSince1970 + Double(end - startNanos) / 1e9,
                              lengthSeconds: length,
                              openConnections: await openConnections(loops: loops, contexts: loopContexts),
                              phase: run.timeline?.phaseIndex(at: start + 1e-6).map { configuration.phases[$0].name },
                              connecting: (run.startBarrier?.remaining ?? 0) > 0 && snapshot.counters.transactions == 0)
            intervalStart = end
            if allFinished { break }
        }
        let endNanos = NIODeadline.now().uptimeNanoseconds
        await closeHeldConnections(clients, group: group)
        try? hlog.flush()
        try? hlog.close()
        var companionReports: [RunCompanionReport] = []
        for companion in companions {
            companionReports.append(await companion.finish(interrupted: stop.count > 0))
        }
        await runTeardown()
        var extras = await gatherExtras(loops: loops, contexts: loopContexts)
        extras.fairness = await gatherFairness(clients: clients, loops: loops)

        let report = RunReport(
            configuration: configuration, plan: plan, preparation: preparation, total: total, extras: extras,
            startedAt: wallStart,
            durationSeconds: run.timeline == nil ? Double(endNanos - startNanos) / 1e9 : recordedSeconds,
            interrupted: stop.count > 0, hlogFile: hlogPath, companionReports: companionReports,
            connectPhaseSeconds: run.startBarrier == nil ? nil
                : Double(min(run.measuredStartNanos, endNanos) - startNanos) / 1e9,
            clientsConnectingAtStop: endWatch.connectingAtStop
        )
        for message in extras.abortMessages { print(message) }
        report.printSummary(print)
        var summary = report.summary()
        summary.failedPerInterval = failedPerInterval
        summary.ioDriver = if case .direct = driver { "direct" } else { "nio" }
        summary.connectionsMoved = steering == nil ? nil : extras.counters.connectionsMoved
        summary.initialConnectionSeconds = report.connectPhaseSeconds
        summary.clientsConnectingAtStop = report.clientsConnectingAtStop
        do {
            try summary.write(to: outputDirectory + "/summary.json")
        } catch {
            throw PgswarmError(.io, "cannot write \(outputDirectory)/summary.json: \(error)")
        }
        return Benchmark.Outcome(summary: summary, outputDirectory: outputDirectory,
                                 abortMessages: extras.abortMessages, abortedClients: extras.counters.abortedClients)
    }

    // MARK: Before the run

    /// `--start-at`: sleeps until the wall clock reaches `date` (in steps, so Ctrl-C still ends the wait).
    private func waitUntil(_ date: Date) async {
        let steps = max(0, Int(date.timeIntervalSinceNow / 0.05)) + 1
        for _ in 0..<steps where stop.count == 0 {
            let remaining = date.timeIntervalSinceNow
            if remaining <= 0 { return }
            try? await Task.sleep(nanoseconds: UInt64(min(remaining, 0.05) * 1e9))
        }
    }

    struct Preparation: Sendable {
        var serverVersion: String?
        var adminUsedTLS: Bool
        var protocolVersion: String
        var scale: Int
        var variableOverrides: [(String, Value)]
    }

    /// Connects once to check the server answers, learns its version and the scale, and vacuums as pgbench does.
    private func prepare() async throws -> Preparation {
        let admin = try await AdminConnection.connect(settings: configuration.connection, group: group)
        defer { Task { await admin.close() } }
        let builtinNames = Set(BuiltinScript.list().map(\.source.name))
        let usesBuiltin = plan.scripts.contains { builtinNames.contains($0.name) }
        var scale = configuration.scale ?? 1
        var overrides: [(String, Value)] = []
        // A probe-only run (`-c 0`) runs no script and needs no pgbench tables.
        if configuration.scale == nil && usesBuiltin && configuration.clients > 0 {
            do {
                let result = try await admin.simpleQuery("SELECT count(*) FROM pgbench_branches")
                scale = Int(result.rows.first?.first.flatMap { $0 } ?? "1") ?? 1
            } catch let error as PgswarmError {
                throw PgswarmError(.server, "could not count the branches (\(error.message)); "
                    + "run `pgswarm init` on database \"\(configuration.connection.database)\" first")
            }
            if scale < 1 {
                throw PgswarmError(.server, "pgbench_branches is empty; run `pgswarm init` first")
            }
        }
        if !configuration.definedVariables.contains("scale") {
            overrides.append(("scale", .int(Int64(scale))))
        }
        for statement in configuration.setupSQL {
            do {
                try await admin.simpleQuery(statement)
            } catch let error as PgswarmError {
                throw PgswarmError(.server, "setup failed: \(error.message)")
            }
        }
        // A probe-only run (through a pooler, often) has no business with pgbench's tables.
        if !configuration.noVacuum && !configuration.hasNoClients {
            let tables = configuration.vacuumAll
                ? ["pgbench_branches", "pgbench_tellers", "pgbench_accounts"] : ["pgbench_branches", "pgbench_tellers"]
            for table in tables {
                _ = try? await admin.simpleQuery("VACUUM \(table)")
            }
            _ = try? await admin.simpleQuery("TRUNCATE pgbench_history")
            print("starting vacuum...end.")
        }
        return Preparation(
            serverVersion: admin.startup.serverVersion,
            adminUsedTLS: await admin.usesTLS(),
            protocolVersion: "\(admin.startup.protocolVersion.major).\(admin.startup.protocolVersion.minor)",
            scale: scale,
            variableOverrides: overrides
        )
    }

    /// The spec's teardown SQL, once, after the last phase; a failure is reported, not thrown: the results stand.
    private func runTeardown() async {
        guard !configuration.teardownSQL.isEmpty else { return }
        do {
            let admin = try await AdminConnection.connect(settings: configuration.connection, group: group)
            for statement in configuration.teardownSQL {
                try await admin.simpleQuery(statement)
            }
            await admin.close()
        } catch {
            print("teardown failed: \(error)")
        }
    }

    private func makeOutputDirectory() throws -> String {
        let directory: String
        if let chosen = configuration.outputDirectory {
            directory = chosen
        } else {
            // Not DateFormatter: it would load ICU (megabytes of resident tables) for one file name.
            let stamp = UTCCalendarText.compactStamp(secondsSinceEpoch: Date().timeIntervalSince1970)
            directory = "pgswarm-results/" + stamp
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw PgswarmError(.io, "cannot create the results directory \(directory): \(error.localizedDescription)")
        }
        return directory
    }

    // MARK: During the run

    /// One line per series for the interval: untagged latency first, then the tags. Service time and schedule lag
    /// only mean something with a rate, so closed-loop runs leave them out.
    private func writeHlogLines(_ hlog: HlogWriter, _ snapshot: IntervalSnapshot, start: Double, length: Double)
        throws
    {
        try hlog.writeInterval(tag: nil, start: start, length: length,
                               histogram: snapshot.histograms[SeriesLayout.latency])
        for (index, name) in snapshot.seriesNames.enumerated() where index != SeriesLayout.latency {
            if !configuration.isOpenLoop && (index == SeriesLayout.service || index == SeriesLayout.lag) { continue }
            if configuration.cancelFraction <= 0 && index == SeriesLayout.cancel { continue }
            if SeriesLayout.sparse.contains(index) && snapshot.histograms[index].totalCount == 0 { continue }
            try hlog.writeInterval(tag: name, start: start, length: length, histogram: snapshot.histograms[index])
        }
    }

    private func collect(loops: [any EventLoop], contexts: [LoopContext], series: SeriesLayout) async throws
        -> IntervalSnapshot
    {
        var merged = IntervalSnapshot(seriesNames: series.names)
        for (loop, context) in zip(loops, contexts) {
            let snapshot = try await loop.submit { context.recorder.takeSnapshot() }.get()
            merged.merge(snapshot)
            // Hand the storage back: the loop's next spare histograms, so a steady run allocates none. The handover
            // holds the only reference, so that the loop resets the histograms in place: a second reference (this
            // scope's, or a closure's capture) would make each reset copy its histogram first.
            let handover = SnapshotHandover(consume snapshot)
            loop.execute { if let returned = handover.take() { context.recorder.recycle(returned) } }
        }
        return merged
    }

    private func openConnections(loops: [any EventLoop], contexts: [LoopContext]) async -> Int {
        var total = 0
        for (loop, context) in zip(loops, contexts) {
            total += (try? await loop.submit { context.openConnections }.get()) ?? 0
        }
        return total
    }

    private func wakeAll(_ clients: [Client]) {
        for client in clients { client.loopExecute { client.stopRequested() } }
    }

    private func forceStop(_ clients: [Client]) {
        for client in clients { client.loopExecute { client.forceStop() } }
    }

    struct Extras: Sendable {
        var commands: [CommandStatistics]
        var counters = LoopCounters()
        var abortMessages: [String] = []
        var errorDetails: [ErrorDetail: UInt64] = [:]
        var fairness: [ClientFairness] = []

        /// Mean time a client waited for its turn to connect (see `ClientStarter`), in seconds.
        var meanStartWaitSeconds: Double {
            counters.clientsStarted == 0 ? 0 : Double(counters.startWaitNanos) / Double(counters.clientsStarted) / 1e9
        }
    }

    /// The connections clients kept open at the end of the run (`Client.closeHeldConnection`), closed on their loops.
    private func closeHeldConnections(_ clients: [Client], group: any EventLoopGroup) async {
        let closed = clients.map { client in
            let promise = group.next().makePromise(of: Void.self)
            client.loopExecute {
                client.closeHeldConnection()
                promise.succeed(())
            }
            return promise.futureResult
        }
        try? await EventLoopFuture.andAllComplete(closed, on: group.next()).get()
    }

    /// Each client's share, read on its own loop (clients were dealt to loops in turn).
    private func gatherFairness(clients: [Client], loops: [any EventLoop]) async -> [ClientFairness] {
        var figures = [ClientFairness](repeating: ClientFairness(transactions: 0, longestStallNanos: 0),
                                       count: clients.count)
        for (loopIndex, loop) in loops.enumerated() {
            let indexes = Array(stride(from: loopIndex, to: clients.count, by: loops.count))
            let part = try? await loop.submit { indexes.map { clients[$0].fairness } }.get()
            for (index, value) in zip(indexes, part ?? []) { figures[index] = value }
        }
        return figures
    }

    private func gatherExtras(loops: [any EventLoop], contexts: [LoopContext]) async -> Extras {
        var extras = Extras(commands: [CommandStatistics](repeating: CommandStatistics(), count: plan.sqlCommandCount))
        for (loop, context) in zip(loops, contexts) {
            let part = try? await loop.submit {
                Extras(commands: context.commands, counters: context.counters, abortMessages: context.abortMessages,
                       errorDetails: context.errorDetails)
            }.get()
            guard let part else { continue }
            for index in extras.commands.indices {
                extras.commands[index].count += part.commands[index].count
                extras.commands[index].totalNanos += part.commands[index].totalNanos
                extras.commands[index].failures += part.commands[index].failures
            }
            extras.counters.add(part.counters)
            extras.abortMessages += part.abortMessages
            extras.errorDetails.merge(part.errorDetails, uniquingKeysWith: +)
        }
        return extras
    }
}

/// Moves a snapshot to its loop without leaving a copy behind (see `collect`); taken once, on that loop.
private final class SnapshotHandover: @unchecked Sendable {
    private var snapshot: IntervalSnapshot?
    init(_ snapshot: consuming IntervalSnapshot) { self.snapshot = snapshot }
    func take() -> IntervalSnapshot? { snapshot.take() }
}
