import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// The files this project ships for installing and running it elsewhere, and what they name.
enum ShippedFiles {
    static let githubWorkflow = "docs/ci/github-actions.yml"
    static let gitlabJob = "docs/ci/gitlab-ci.yml"
    static let exampleWorkload = "docs/ci/workload.toml"
    static let ciScript = "Scripts/ci-compare.sh"
    static let buildScript = "Scripts/build-release.sh"

    /// The documents that tell a user which of our files to use.
    static let documents = [
        "README.md", "docs/install.md", "docs/ci.md", githubWorkflow, gitlabJob, exampleWorkload, "Containerfile",
        "Workloads/k8s/README.md", "Workloads/k8s/pgswarm-sharded-job.yaml", ciScript, buildScript,
    ]

    /// Paths into this repository that a text names (under Scripts, docs, Workloads, Sources, Tests, and the
    /// Containerfile), some of them patterns (`Workloads/pooler/probe-*.toml`).
    static func repositoryPaths(in text: String) -> Set<String> {
        let pattern = #"(?<![\w./-])(?:(?:Scripts|docs|Workloads|Sources|Tests)/[\w./*-]*[\w*]|Containerfile)"#
        let expression = try! NSRegularExpression(pattern: pattern)
        let matches = expression.matches(in: text, range: NSRange(text.startIndex..., in: text))
        return Set(matches.compactMap { Range($0.range, in: text).map { String(text[$0]) } })
    }

    /// Whether a path of the checkout, or a file matching it when it is a pattern, exists.
    static func exists(_ path: String) -> Bool {
        var matches = glob_t()
        defer { globfree(&matches) }
        return glob(Checkout.path(path), 0, nil, &matches) == 0 && matches.gl_pathc > 0
    }

    /// A YAML file as JSON, read by Python's yaml module (CI installs PyYAML), so that tests can look inside.
    static func yamlAsJSON(_ relative: String) throws -> Any {
        let script = "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)"
        let json = try Command.standardOutput(["python3", "-c", script, Checkout.path(relative)])
        return try JSONSerialization.jsonObject(with: Data(json.utf8))
    }
}
