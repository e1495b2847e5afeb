import Foundation
import LocalCluster
import TestSupport
import Testing

/// The benchmark steps of docs/ci/github-actions.yml and docs/ci/gitlab-ci.yml, taken out of the files and run here
/// as their CI would run them, against a local server instead of a service container: what the hosting does
/// (checkouts, the build, the service, artifacts) is all that is left unproven. The pull request's benchmark is
/// docs/ci/workload.toml, the base branch's the same file, or the file without its index: a regression.
@Suite("CI benchmark steps against a local server", .serialized)
struct CIStepTests {
    /// Short runs: two rounds per side of 3 s with 2 clients (the files' own RUN_ARGS and ROUNDS take minutes).
    static let quickRun = ["RUN_ARGS": "-c 2 -j 1 -T 3", "ROUNDS": "2"]

    struct Outcome {
        var status: Int32
        var log: String
        var stepSummary: String
        var markdown: String
        var junit: String
    }

    @Test("GitHub: the same benchmark on both sides passes and writes the job summary and the JUnit report")
    func githubNoRegression() throws {
        // Generous thresholds: two 3-second runs per side on a shared 2-core machine differ by 15% by chance.
        let outcome = try runGitHubStep(dropIndex: false, overrides: ["FAIL_ON": "tps<-60% p99>+150%"])
        #expect(outcome.status == 0, "log:\n\(outcome.log)")
        #expect(outcome.stepSummary.contains("### pgswarm compare"))
        #expect(outcome.stepSummary.contains("| tps (tps) |"))
        #expect(outcome.junit.contains("failures=\"0\""))
        #expect(outcome.junit.contains("name=\"tps&lt;-60%\""))
        #expect(outcome.markdown == outcome.stepSummary)
    }

    @Test("GitHub: dropping the index fails the job with the workflow's own thresholds")
    func githubRegression() throws {
        let outcome = try runGitHubStep(dropIndex: true, overrides: [:])
        #expect(outcome.status == 1, "log:\n\(outcome.log)")
        #expect(outcome.log.contains("ci-compare.sh: regression"))
        #expect(outcome.stepSummary.contains("❌ worse"))
        #expect(outcome.junit.contains("<failure"))
        #expect(outcome.junit.contains("name=\"tps&lt;-10%\""))
    }

    @Test("GitLab: dropping the index fails the job and leaves the JUnit report it attaches")
    func gitlabRegression() throws {
        let document = try #require(try ShippedFiles.yamlAsJSON(ShippedFiles.gitlabJob) as? [String: Any])
        let job = try #require(document["pgswarm-benchmark"] as? [String: Any])
        let script = try #require(job["script"] as? [String]).joined(separator: "\n")
        let variables = try #require(job["variables"] as? [String: Any]).mapValues { "\($0)" }
        let project = try makeProject(dropIndex: true, baseDirectory: ".base")
        let environment = variables.merging(Self.quickRun) { $1 }.merging(try serverEnvironment()) { $1 }
            .merging(["CI_PROJECT_DIR": project.directory, "PGSWARM_HOME": project.pgswarmHome]) { $1 }
        // before_script puts $PGSWARM_HOME/bin on the PATH.
        let outcome = try run(script: script, in: project.directory, path: project.pgswarmHome + "/bin",
                              environment: environment)
        #expect(outcome.status == 1, "log:\n\(outcome.log)")
        let reports = try #require((job["artifacts"] as? [String: Any])?["reports"] as? [String: Any])
        let junitPath = project.directory + "/" + (try #require(reports["junit"] as? String))
        let junit = try String(contentsOfFile: junitPath, encoding: .utf8)
        #expect(junit.contains("<failure"))
    }

    // MARK: Running a step

    func runGitHubStep(dropIndex: Bool, overrides: [String: String]) throws -> Outcome {
        let workflow = try #require(try ShippedFiles.yamlAsJSON(ShippedFiles.githubWorkflow) as? [String: Any])
        let workflowEnvironment = try #require(workflow["env"] as? [String: Any]).mapValues { "\($0)" }
        let jobs = try #require(workflow["jobs"] as? [String: Any])
        let job = try #require(jobs["benchmark"] as? [String: Any])
        let steps = try #require(job["steps"] as? [[String: Any]])
        let step = try #require(steps.first { $0["name"] as? String == "Base against pull request" })
        let script = try #require(step["run"] as? String)

        let runnerTemp = TemporaryDirectory.make("runner-temp")
        let project = try makeProject(dropIndex: dropIndex, baseDirectory: runnerTemp + "/base")
        // The layout the workflow's earlier steps leave in $RUNNER_TEMP/pgswarm.
        try FileManager.default.createSymbolicLink(
            atPath: runnerTemp + "/pgswarm", withDestinationPath: project.pgswarmHome)
        let stepSummary = runnerTemp + "/step-summary.md"
        _ = FileManager.default.createFile(atPath: stepSummary, contents: nil)
        let environment = workflowEnvironment.merging(Self.quickRun) { $1 }.merging(overrides) { $1 }
            .merging(try serverEnvironment()) { $1 }
            .merging(["RUNNER_TEMP": runnerTemp, "GITHUB_STEP_SUMMARY": stepSummary]) { $1 }
        // An earlier step puts $RUNNER_TEMP/pgswarm/bin on the PATH (through $GITHUB_PATH).
        var outcome = try run(script: script, in: project.directory, path: runnerTemp + "/pgswarm/bin",
                              environment: environment)
        outcome.stepSummary = (try? String(contentsOfFile: stepSummary, encoding: .utf8)) ?? ""
        return outcome
    }

    struct Project {
        var directory: String
        /// A pgswarm layout as Scripts/build-release.sh makes it: bin/pgswarm and share/pgswarm/ci-compare.sh.
        var pgswarmHome: String
    }

    /// A project whose bench/workload.toml is the example (or the example without its index), and the base branch's
    /// copy of it, the example itself, under `baseDirectory` (relative to the project, or absolute).
    func makeProject(dropIndex: Bool, baseDirectory: String) throws -> Project {
        let directory = TemporaryDirectory.make("ci-project")
        let example = try Checkout.read(ShippedFiles.exampleWorkload)
        let indexLine = "    \"CREATE INDEX ci_orders_customer ON ci_orders (customer)\",\n"
        #expect(example.contains(indexLine), "the example workload no longer creates its index as this test expects")
        let candidate = dropIndex ? example.replacingOccurrences(of: indexLine, with: "") : example
        let base = baseDirectory.hasPrefix("/") ? baseDirectory : directory + "/" + baseDirectory
        for (root, text) in [(directory, candidate), (base, example)] {
            try FileManager.default.createDirectory(atPath: root + "/bench", withIntermediateDirectories: true)
            try text.write(toFile: root + "/bench/workload.toml", atomically: true, encoding: .utf8)
        }
        let home = directory + "/.pgswarm-home"
        try FileManager.default.createDirectory(atPath: home + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home + "/share/pgswarm", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: home + "/bin/pgswarm",
                                                   withDestinationPath: try Checkout.requireDebugBinary())
        try FileManager.default.createSymbolicLink(atPath: home + "/share/pgswarm/ci-compare.sh",
                                                   withDestinationPath: Checkout.path(ShippedFiles.ciScript))
        return Project(directory: directory, pgswarmHome: home)
    }

    func serverEnvironment() throws -> [String: String] {
        let pg = try TestPostgres.sharedSync()
        return ["PGHOST": pg.host, "PGPORT": String(pg.port), "PGUSER": pg.superuser, "PGDATABASE": "postgres"]
    }

    /// Bash with -e and pipefail, as both GitHub's `run:` and GitLab's scripts run, from the project's directory.
    func run(script: String, in directory: String, path: String, environment: [String: String]) throws -> Outcome {
        let scriptFile = directory + "/.step.sh"
        try ("cd " + Command.shellQuoted(directory) + "\n" + script).write(
            toFile: scriptFile, atomically: true, encoding: .utf8)
        var environment = environment
        environment["PATH"] = path + ":/usr/bin:/bin"
        let output = try Command.run(["/bin/bash", "--noprofile", "--norc", "-eo", "pipefail", scriptFile],
                                     environment: environment, timeout: 600)
        let results = directory + "/pgswarm-ci"
        return Outcome(
            status: output.status, log: output.text, stepSummary: "",
            markdown: (try? String(contentsOfFile: results + "/compare.md", encoding: .utf8)) ?? "",
            junit: (try? String(contentsOfFile: results + "/compare.xml", encoding: .utf8)) ?? ""
        )
    }
}
