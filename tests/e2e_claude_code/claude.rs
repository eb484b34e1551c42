//! Finding the pinned Claude Code that `scripts/install-claude-code.sh`
//! put under the target directory, and starting it the only way this
//! harness allows: inside the loopback-only namespace, with a throwaway
//! home, pointed at the fake API, nonessential traffic off.

use super::netns::Netns;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The version the harness drives (and the install script installs).
pub const VERSION: &str = "2.1.197";

/// Where the install script puts the npm packages.
pub fn install_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CCWATCH_E2E_CLAUDE_DIR") {
        return PathBuf::from(dir);
    }
    // CARGO_TARGET_TMPDIR is <target>/tmp.
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap_or(Path::new("target"))
        .join("e2e-claude")
}

/// The native binary of the platform package, installed first when it is
/// missing, so that `cargo test` alone sets everything up (`.ci/run` runs
/// the same script before the tests; then this finds it in place).
pub fn binary() -> Result<PathBuf, String> {
    static INSTALLED: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            installed().or_else(|_| {
                let script =
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-claude-code.sh");
                let status = Command::new("bash")
                    .arg(&script)
                    .env("CCWATCH_E2E_CLAUDE_DIR", install_dir())
                    .status()
                    .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
                if !status.success() {
                    return Err(format!("{} failed: {status}", script.display()));
                }
                installed()
            })
        })
        .clone()
}

/// The native binary of the platform package (what the wrapper package's
/// postinstall would copy over its placeholder), if it is installed.
fn installed() -> Result<PathBuf, String> {
    let platform = if cfg!(target_arch = "aarch64") {
        "linux-arm64"
    } else {
        "linux-x64"
    };
    let path = install_dir()
        .join("node_modules/@anthropic-ai")
        .join(format!("claude-code-{platform}"))
        .join("claude");
    if !path.is_file() {
        return Err(format!(
            "Claude Code {VERSION} is not installed at {} (run scripts/install-claude-code.sh)",
            path.display()
        ));
    }
    let out = Command::new(&path)
        .arg("--version")
        .env_clear()
        .output()
        .map_err(|e| format!("cannot run {}: {e}", path.display()))?;
    let version = String::from_utf8_lossy(&out.stdout);
    if !version.starts_with(VERSION) {
        return Err(format!(
            "{} is version {:?}, not the pinned {VERSION}",
            path.display(),
            version.trim()
        ));
    }
    Ok(path)
}

/// One throwaway Claude Code installation state: a home, its config dir,
/// and where the fake API listens.
pub struct Claude {
    pub binary: PathBuf,
    pub home: PathBuf,
    pub base_url: String,
    /// Extra environment (OTel settings and the like).
    pub env: Vec<(String, String)>,
    /// Signed in with a (dummy) subscription token instead of an API key.
    pub subscription: bool,
}

impl Claude {
    pub fn config_dir(&self) -> PathBuf {
        self.home.join(".claude")
    }

    pub fn projects(&self) -> PathBuf {
        self.config_dir().join("projects")
    }

    /// A command running Claude Code in `netns`, in `cwd`, with nothing of
    /// this process's environment but PATH. Refuses (panics) when the API
    /// is not on loopback.
    pub fn command(&self, netns: &Netns, cwd: &Path) -> Command {
        let mut cmd = netns.command(&self.binary);
        cmd.current_dir(cwd);
        self.environment(&mut cmd);
        cmd
    }

    /// The environment Claude Code runs with (also given to the tmux server
    /// that runs it interactively, inside the same namespace).
    pub fn environment(&self, cmd: &mut Command) {
        assert!(
            self.base_url.starts_with("http://127.0.0.1:"),
            "refusing to start Claude Code against {}: only a loopback fake API",
            self.base_url
        );
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("CLAUDE_CONFIG_DIR", self.config_dir())
            .env("TERM", "xterm-256color")
            .env("LANG", "C.UTF-8")
            .env("ANTHROPIC_BASE_URL", &self.base_url)
            .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
            .env("DISABLE_AUTOUPDATER", "1")
            .env("DISABLE_ERROR_REPORTING", "1");
        if self.subscription {
            cmd.env("CLAUDE_CODE_OAUTH_TOKEN", OAUTH_TOKEN);
        } else {
            cmd.env("ANTHROPIC_API_KEY", API_KEY);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
    }
}

/// The dummy key (Claude Code asks about keys it has not seen; the
/// settings written by the harness approve this one).
pub const API_KEY: &str = "sk-ant-api03-e2e-dummy-key-0000000000000000";

/// The dummy subscription token.
pub const OAUTH_TOKEN: &str = "sk-ant-oat01-e2e-dummy-token-0000000000000000";
