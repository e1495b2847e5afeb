import Foundation
import Stats

/// `pgswarm merge`: combines the results of shards that ran at the same time (on several machines or processes)
/// into one results directory, as if one client had run them all.
///
/// Intervals are aligned by absolute time (the hlog's StartTime plus the interval's offset): the shards' intervals
/// that fall into the same slot of the first shard's interval length are added, histogram by histogram, which is
/// exact. The summary sums counts and throughputs and recomputes percentiles from the merged histograms.
public enum ResultMerger {
    public struct Merged: Sendable {
        public var summary: RunSummary
        /// (tag, start, length, histogram) in the order the hlog is written.
        public var intervals: [HlogInterval]
        public var startTime: Date
    }

    public static func merge(_ runs: [ResultDirectory], commandLine: String) throws(ReportError) -> Merged {
        guard let first = runs.first else { throw ReportError(.usage, "merge needs at least one results directory") }
        let identity = WorkloadIdentity(summary: first.summary)
        for run in runs.dropFirst() {
            let differences = identity.differences(from: WorkloadIdentity(summary: run.summary))
            if !differences.isEmpty {
                throw ReportError(
                    .input,
                    "\(first.path) and \(run.path) ran different workloads: "
                        + differences.joined(separator: "; "))
            }
        }
        let starts = runs.map { $0.hlog.startTime ?? $0.summary.startedAt }
        let mergedStart = starts.min()!
        let length = typicalIntervalLength(first.hlog)
        let intervals = alignIntervals(runs, starts: starts, mergedStart: mergedStart, length: length)
        var summary = mergedSummary(runs, intervals: intervals, startedAt: mergedStart, commandLine: commandLine)
        summary.failedPerInterval = alignFailures(
            runs, starts: starts, mergedStart: mergedStart, length: length,
            slots: intervals.filter { $0.tag == nil }.count)
        return Merged(summary: summary, intervals: intervals, startTime: mergedStart)
    }

    /// Writes summary.json and latency.hlog into `directory` (created when missing).
    public static func write(_ merged: Merged, to directory: String, comment: String) throws(ReportError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let hlogPath = directory + "/latency.hlog"
            let writer = try HlogWriter(path: hlogPath, startTime: merged.startTime, comment: comment)
            for interval in merged.intervals {
                try writer.writeInterval(
                    tag: interval.tag, start: interval.start, length: interval.length,
                    histogram: interval.histogram)
            }
            try writer.close()
            var summary = merged.summary
            summary.hlogFile = hlogPath
            try summary.write(to: directory + "/summary.json")
        } catch let error as HlogError {
            throw ReportError(.input, error.description)
        } catch {
            throw ReportError(.input, "\(directory): cannot write the merged results (\(error))")
        }
    }

    static func typicalIntervalLength(_ log: HlogLog) -> Double {
        let lengths = log.intervals(tag: nil).map(\.length).sorted()
        guard !lengths.isEmpty else { return 1 }
        return max(lengths[lengths.count / 2], 0.001)
    }

    /// Adds up the intervals of every shard that fall into the same time slot, tag by tag.
    static func alignIntervals(
        _ runs: [ResultDirectory],
        starts: [Date],
        mergedStart: Date,
        length: Double
    ) -> [HlogInterval] {
        struct Key: Hashable {
            var slot: Int
            var tag: String?
        }
        var slots: [Key: HlogInterval] = [:]
        var tagOrder: [String?] = [nil]
        for (run, start) in zip(runs, starts) {
            let offset = start.timeIntervalSince(mergedStart)
            for interval in run.hlog.intervals {
                if !tagOrder.contains(interval.tag) { tagOrder.append(interval.tag) }
                let slot = max(0, Int(((offset + interval.start) / length).rounded()))
                let key = Key(slot: slot, tag: interval.tag)
                if var existing = slots[key] {
                    existing.histogram.add(interval.histogram)
                    existing.length = max(existing.length, interval.length)
                    existing.maxMs = max(existing.maxMs, interval.maxMs)
                    slots[key] = existing
                } else {
                    var copy = interval
                    copy.start = Double(slot) * length
                    slots[key] = copy
                }
            }
        }
        let lastSlot = slots.keys.map(\.slot).max() ?? -1
        var result: [HlogInterval] = []
        guard lastSlot >= 0 else { return result }
        for slot in 0...lastSlot {
            // Every slot keeps its untagged line, empty when no shard had one, so readers see no gap.
            for tag in tagOrder {
                if let interval = slots[Key(slot: slot, tag: tag)] {
                    result.append(interval)
                } else if tag == nil {
                    result.append(
                        HlogInterval(
                            tag: nil, start: Double(slot) * length, length: length, maxMs: 0,
                            histogram: LatencyHistogram()))
                }
            }
        }
        return result
    }

    /// The shards' failures per interval, added into the same slots as their untagged intervals.
    static func alignFailures(
        _ runs: [ResultDirectory],
        starts: [Date],
        mergedStart: Date,
        length: Double,
        slots: Int
    ) -> [UInt64]? {
        guard runs.contains(where: { $0.summary.failedPerInterval != nil }) else { return nil }
        var failures = [UInt64](repeating: 0, count: slots)
        for (run, start) in zip(runs, starts) {
            let offset = start.timeIntervalSince(mergedStart)
            for (interval, failed) in zip(run.hlog.intervals(tag: nil), run.summary.failedPerInterval ?? []) {
                let slot = max(0, Int(((offset + interval.start) / length).rounded()))
                if slot < slots { failures[slot] += failed }
            }
        }
        return failures
    }

    static func mergedSummary(
        _ runs: [ResultDirectory],
        intervals: [HlogInterval],
        startedAt: Date,
        commandLine: String
    ) -> RunSummary {
        let summaries = runs.map(\.summary)
        func total(_ tag: String?) -> LatencyHistogram {
            var histogram = LatencyHistogram()
            for interval in intervals where interval.tag == tag { histogram.add(interval.histogram) }
            return histogram
        }
        func optionalTotal(_ tag: String) -> LatencySummary? {
            intervals.contains { $0.tag == tag } ? LatencySummary(nanoseconds: total(tag)) : nil
        }
        func sum<Count: FixedWidthInteger>(_ values: [Count?]) -> Count? {
            values.allSatisfy { $0 == nil } ? nil : values.reduce(0) { $0 + ($1 ?? 0) }
        }
        var errors: [String: UInt64] = [:]
        for summary in summaries { errors.merge(summary.errorsBySQLState, uniquingKeysWith: +) }

        // Script tags appear in the hlog in the plan's order, which is the summary's order.
        let scriptTags = runs[0].hlog.tags.compactMap { $0 }.filter { $0.hasPrefix("script.") }
        var scripts: [ScriptSummary] = []
        for (index, script) in summaries[0].scripts.enumerated() {
            let matching = summaries.compactMap { $0.scripts.first { $0.name == script.name } }
            let latency =
                index < scriptTags.count
                ? LatencySummary(nanoseconds: total(scriptTags[index]))
                : script.latencyMicroseconds
            scripts.append(
                ScriptSummary(
                    name: script.name,
                    transactions: matching.reduce(0) { $0 + $1.transactions },
                    failed: matching.reduce(0) { $0 + $1.failed },
                    latencyMicroseconds: latency
                ))
        }
        let ends = summaries.map { $0.startedAt.addingTimeInterval($0.durationSeconds) }
        let rates = summaries.compactMap(\.rate)
        let versions = Array(Set(summaries.map(\.pgswarmVersion))).sorted()
        var merged = RunSummary(
            pgswarmVersion: versions.joined(separator: ","),
            mode: summaries[0].mode,
            commandLine: commandLine,
            serverVersion: summaries[0].serverVersion,
            protocolVersion: summaries[0].protocolVersion,
            startedAt: startedAt,
            durationSeconds: ends.max()!.timeIntervalSince(startedAt),
            clients: summaries.reduce(0) { $0 + $1.clients },
            threads: summaries.reduce(0) { $0 + $1.threads },
            rate: rates.isEmpty ? nil : rates.reduce(0, +),
            transactions: summaries.reduce(0) { $0 + $1.transactions },
            failedTransactions: summaries.reduce(0) { $0 + $1.failedTransactions },
            skippedTransactions: sum(summaries.map(\.skippedTransactions)),
            retries: sum(summaries.map(\.retries)),
            tps: summaries.reduce(0) { $0 + $1.tps },
            tpsIncludingConnect: summaries.allSatisfy { $0.tpsIncludingConnect != nil }
                ? summaries.reduce(0) { $0 + ($1.tpsIncludingConnect ?? 0) } : nil,
            interrupted: summaries.contains { $0.interrupted },
            errorsBySQLState: errors,
            latencyMicroseconds: LatencySummary(nanoseconds: total(nil)),
            connectMicroseconds: optionalTotal("connect"),
            serviceMicroseconds: optionalTotal("service"),
            lagMicroseconds: optionalTotal("lag"),
            scripts: scripts
        )
        merged.mergedCommandLines = summaries.map(\.commandLine)
        merged.lostConnections = sum(summaries.map(\.lostConnections))
        merged.connectionsMoved = sum(summaries.map(\.connectionsMoved))
        // Each shard waited for its own clients; the slowest shard's wait is the merged run's.
        merged.initialConnectionSeconds = summaries.compactMap(\.initialConnectionSeconds).max()
        merged.clientsConnectingAtStop = sum(summaries.map(\.clientsConnectingAtStop))
        let aborted = summaries.compactMap(\.abortedClients)
        merged.abortedClients = aborted.isEmpty ? nil : aborted.reduce(0, +)
        merged.tlsHandshakeMicroseconds = optionalTotal("tls")
        merged.stateLeak = mergedStateLeak(summaries.compactMap(\.stateLeak))
        // One name when every shard used the same driver, else each shard's, in shard order.
        let drivers = summaries.compactMap(\.ioDriver)
        merged.ioDriver = drivers.isEmpty ? nil : (Set(drivers).count == 1 ? drivers[0] : drivers.joined(separator: ","))
        return merged
    }

    /// The shards' state-leak checks added up; the first example seen stands for all.
    static func mergedStateLeak(_ parts: [StateLeakSummary]) -> StateLeakSummary? {
        guard !parts.isEmpty else { return nil }
        return StateLeakSummary(checks: parts.reduce(0) { $0 + $1.checks }, leaks: parts.reduce(0) { $0 + $1.leaks },
                                example: parts.lazy.compactMap(\.example).first,
                                sets: parts.reduce(0) { $0 + $1.sets }, errors: parts.reduce(0) { $0 + $1.errors })
    }
}
