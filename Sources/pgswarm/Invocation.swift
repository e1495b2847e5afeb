import Engine
import PgbenchCLI

/// What the argument normaliser learnt that ArgumentParser cannot carry: the order of -b/-f/-S/-N across options
/// (pgbench numbers and weighs scripts in that order).
enum Invocation {
    @TaskLocal static var scripts: [PgbenchArguments.ScriptChoice] = []
}
