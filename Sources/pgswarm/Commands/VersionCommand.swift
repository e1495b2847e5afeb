import ArgumentParser
import Engine

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print pgswarm's version.")

    func run() {
        print(PgswarmVersion.description)
    }
}
