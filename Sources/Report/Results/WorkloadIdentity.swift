import Stats

/// What makes two runs comparable: the query mode, the scripts, open or closed loop, and the workload options of
/// the command line. Connection and output options (host, --out, -T) may differ between the sides.
public struct WorkloadIdentity: Equatable, Sendable {
    public var mode: String
    public var scripts: [String]
    public var openLoop: Bool
    /// The script-selecting and -defining options as typed (-b, -f, -S, -N, -D, -M), in order.
    public var workloadArguments: [String]

    public init(summary: RunSummary) {
        mode = summary.mode
        scripts = summary.scripts.map(\.name).sorted()
        openLoop = summary.rate != nil
        // A merged summary's own command line is `pgswarm merge`; its shards' say what ran.
        workloadArguments = Self.workloadArguments(of: summary.mergedCommandLines?.first ?? summary.commandLine)
    }

    /// The options that choose what a transaction does. Values follow their option in the same or the next word.
    static func workloadArguments(of commandLine: String) -> [String] {
        let words = commandLine.split(separator: " ").map(String.init)
        let withValue: Set<String> = ["-b", "-f", "-D", "-M", "--builtin", "--file", "--define", "--protocol"]
        let alone: Set<String> = ["-S", "-N", "--select-only", "--skip-some-updates"]
        var result: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if alone.contains(word) {
                result.append(word)
            } else if withValue.contains(word), index + 1 < words.count {
                result.append(word + " " + words[index + 1])
                index += 1
            } else if let option = withValue.first(where: { word.hasPrefix($0) && word.count > $0.count }) {
                // -fscript.sql, --file=script.sql
                let value = word.dropFirst(option.count).drop { $0 == "=" }
                result.append(option + " " + value)
            }
            index += 1
        }
        return result
    }

    /// Human-readable differences from `other`, empty when the workloads match.
    public func differences(from other: WorkloadIdentity) -> [String] {
        var result: [String] = []
        if mode != other.mode { result.append("query mode \(mode) vs \(other.mode)") }
        if scripts != other.scripts {
            result.append("scripts [\(scripts.joined(separator: ", "))] vs [\(other.scripts.joined(separator: ", "))]")
        }
        if openLoop != other.openLoop {
            result.append(
                (openLoop ? "rate-limited" : "closed-loop") + " vs " + (other.openLoop ? "rate-limited" : "closed-loop")
            )
        }
        if workloadArguments != other.workloadArguments && scripts == other.scripts {
            result.append(
                "workload options [\(workloadArguments.joined(separator: " "))] vs "
                    + "[\(other.workloadArguments.joined(separator: " "))]"
            )
        }
        return result
    }
}
