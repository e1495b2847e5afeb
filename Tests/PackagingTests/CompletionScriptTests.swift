import Foundation
import Testing

/// `pgswarm --generate-completion-script SHELL` (swift-argument-parser's, over our command definitions) gives
/// scripts that the shells accept and that complete subcommands and options. CI installs zsh and fish.
@Suite("Shell completions")
struct CompletionScriptTests {
    func script(_ shell: String) throws -> String {
        let file = TemporaryDirectory.make("completion") + "/pgswarm.\(shell)"
        let binary = try Checkout.requireDebugBinary()
        let text = try Command.standardOutput([binary, "--generate-completion-script", shell])
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// What bash's programmable completion offers for `line` (the cursor at its end).
    func bashCompletions(_ file: String, _ line: String) throws -> [String] {
        let program = """
            source "$1"
            read -r -a COMP_WORDS <<< "$2"
            [[ "$2" == *" " ]] && COMP_WORDS+=("")
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            COMP_LINE="$2"
            COMP_POINT=${#COMP_LINE}
            _pgswarm pgswarm "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        return try Command.standardOutput(["bash", "--norc", "-c", program, "bash", file, line])
            .split(separator: "\n").map(String.init)
    }

    @Test("bash completes subcommands and a subcommand's options")
    func bash() throws {
        let file = try script("bash")
        #expect(try Command.run(["bash", "-n", file]).status == 0)
        #expect(try bashCompletions(file, "pgswarm co") == ["compare"])
        #expect(Set(try bashCompletions(file, "pgswarm compare --f")) == ["--fail-on", "--format", "--force"])
        #expect(try bashCompletions(file, "pgswarm run --max-t") == ["--max-tries"])
    }

    @Test("fish completes subcommands and options, with no error from its argparse")
    func fish() throws {
        let file = try script("fish")
        func complete(_ line: String) throws -> String {
            try Command.run(["fish", "--no-config", "-c", "source $argv[1]; complete -C '\(line)'", file]).text
        }
        let subcommands = try complete("pgswarm ch")
        #expect(subcommands.hasPrefix("check\t"), "fish said: \(subcommands)")
        let options = try complete("pgswarm run --max-t")
        #expect(options.hasPrefix("--max-tries\t"), "fish said: \(options)")
        #expect(!options.contains("argparse"))
    }

    @Test("zsh reads the script and defines its completion function")
    func zsh() throws {
        let file = try script("zsh")
        #expect(try Command.run(["zsh", "-n", file]).status == 0)
        let defined = try Command.run(["zsh", "-f", "-c", "source $1 2>/dev/null; whence -w _pgswarm", "zsh", file])
        #expect(defined.text.contains("_pgswarm: function"), "zsh said: \(defined.text)")
    }
}
