//! The `release-gate` command; everything lives in the library.

fn main() -> std::process::ExitCode {
    release_gate::cli::main()
}
