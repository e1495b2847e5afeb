import ArgumentParser
import Report

/// The report commands' error handling: one line on stderr, exit 2 for bad usage or bad input (as pgbench).
enum ReportFailure {
    static func exit(_ error: ReportError) -> ExitCode {
        StandardError.write("pgswarm: \(error.message)")
        return ExitCode(2)
    }
}
