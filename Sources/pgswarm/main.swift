#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A custom entry point rather than @main: pgbench's argument forms are normalised first, and every error ends as
// one line on stderr with pgbench's exit codes (2 for usage, connection and login errors; 1 for errors during a run).
let status = await EntryPoint.run(Array(CommandLine.arguments.dropFirst()))
exit(status)
