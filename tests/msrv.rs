//! The `rust-version` in Cargo.toml is a promise: ccwatch builds with that
//! Rust. A locked dependency that needs a newer one breaks the promise, so
//! this test reads every locked package's own `rust-version` through
//! `cargo metadata` and fails naming the first one above ours.

use std::process::Command;

/// `1.91` and `1.91.0` are the same version: compare as three numbers.
fn version(v: &str) -> [u64; 3] {
    let mut out = [0; 3];
    for (slot, part) in out.iter_mut().zip(v.split('.')) {
        *slot = part.parse().unwrap_or(0);
    }
    out
}

#[test]
fn no_locked_dependency_needs_a_newer_rust_than_we_state() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--locked", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let ours = packages
        .iter()
        .find(|p| p["name"] == "ccwatch")
        .and_then(|p| p["rust_version"].as_str())
        .expect("Cargo.toml states a rust-version");
    let mut above: Vec<String> = packages
        .iter()
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            (version(needs) > version(ours))
                .then(|| format!("{} {} needs {needs}", p["name"], p["version"]))
        })
        .collect();
    above.sort();
    assert!(
        above.is_empty(),
        "rust-version = {ours} in Cargo.toml, but: {}",
        above.join("; ")
    );
}
