use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = ccwatch::cli::parse();
    match ccwatch::commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ccwatch: {e}");
            ExitCode::FAILURE
        }
    }
}
