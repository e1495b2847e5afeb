import Testing

@testable import Engine
@testable import PgbenchCLI
import TestSupport

@Suite("CLI: pgbench -i options")
struct CliInitOptionsTests {
    @Test func defaults() throws {
        let options = try InitOptions(scale: nil)
        #expect(options.scale == 1)
        #expect(options.fillfactor == 100)
        #expect(options.steps == "dtgvp")
        #expect(options.effectivePartitionMethod == nil)
    }

    @Test func stepsFollowNoVacuumAndForeignKeys() throws {
        #expect(try InitOptions(noVacuum: true).steps == "dtgp")
        #expect(try InitOptions(foreignKeys: true).steps == "dtgvpf")
        #expect(try InitOptions(initSteps: "dtG", foreignKeys: true).steps == "dtGf")
        #expect(try InitOptions(initSteps: "d t f", foreignKeys: true).steps == "dtf")
    }

    @Test func values() throws {
        let options = try InitOptions(
            scale: "50",
            fillfactor: "90",
            quiet: true,
            unloggedTables: true,
            partitions: "4",
            partitionMethod: "hash",
            tablespace: "fast"
        )
        #expect(options.scale == 50)
        #expect(options.fillfactor == 90)
        #expect(options.quiet)
        #expect(options.unloggedTables)
        #expect(options.partitions == 4)
        #expect(options.effectivePartitionMethod == .hash)
        #expect(options.tablespace == "fast")
        #expect(try InitOptions(partitions: "2").effectivePartitionMethod == .range)
    }

    @Test func pgbenchsMessages() {
        #expect(pgswarmErrorMessage { _ = try InitOptions(scale: "0") } == "-s/--scale must be in range 1..2147483647")
        #expect(
            pgswarmErrorMessage { _ = try InitOptions(fillfactor: "5") } == "-F/--fillfactor must be in range 10..100"
        )
        #expect(
            pgswarmErrorMessage { _ = try InitOptions(initSteps: "xyz") }
                == "unrecognized initialization step \"x\" (allowed step characters are \"dtgGvpf\")"
        )
        // pgbench accepts both generators (each starts by truncating), so pgswarm does too.
        #expect(pgswarmErrorMessage { _ = try InitOptions(initSteps: "dtgG") } == nil)
        #expect(
            pgswarmErrorMessage { _ = try InitOptions(partitions: "-1") }
                == "--partitions must be in range 0..2147483647"
        )
        #expect(
            pgswarmErrorMessage { _ = try InitOptions(partitions: "2", partitionMethod: "list") }
                == "invalid partition method, expecting \"range\" or \"hash\", got: \"list\""
        )
        #expect(
            pgswarmErrorMessage { _ = try InitOptions(partitionMethod: "hash") }
                == "--partition-method requires greater than zero --partitions"
        )
    }
}
