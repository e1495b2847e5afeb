/// The one place the version lives: `pgswarm version`, `--version`, `-V` and summary.json read it from here.
public enum PgswarmVersion {
    public static let string = "0.1.0"

    /// The commit the binary was built from. Scripts/build-release.sh generates `PgswarmBuildStamp` beside this file
    /// and compiles with PGSWARM_BUILD_STAMP; any other build (`swift build`, `swift run`) cannot know it.
    #if PGSWARM_BUILD_STAMP
    public static let commit: String? = PgswarmBuildStamp.commit
    #else
    public static let commit: String? = nil
    #endif

    /// What `--version` prints: "pgswarm 0.1.0 (commit 1a2b3c4d5e6f)", or "pgswarm 0.1.0 (unknown commit)".
    public static var description: String {
        "pgswarm \(string) (" + (commit.map { "commit " + $0 } ?? "unknown commit") + ")"
    }
}
