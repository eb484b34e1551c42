//! What the audit flags: file names that hold secrets, shell commands worth
//! a second look, the hosts a fetch may go to, and where writes may land.
//! Defaults here (the README lists them); each list can be replaced in the
//! config file's `[audit]` table.

use regex::Regex;
use serde::{Deserialize, Serialize};

/// File names whose reading is flagged (`*` matches any run of characters).
pub const DEFAULT_SECRET_FILES: &[&str] = &[
    ".env",
    ".env.*",
    "*.pem",
    "*.key",
    "id_rsa*",
    "id_ed25519*",
    "id_ecdsa*",
    "*credentials*",
    ".netrc",
    ".pgpass",
    "*.p12",
    "*.pfx",
];

/// Shell commands flagged when a pattern (a regular expression) matches.
pub const DEFAULT_RISKY_COMMANDS: &[&str] = &[
    r"\brm\s+(-[a-zA-Z]*[rR][a-zA-Z]*f|-[a-zA-Z]*f[a-zA-Z]*[rR]|-[rR]\s+-f|-f\s+-[rR])\b",
    r"\bgit\s+push\b.*(--force\b|--force-with-lease\b|\s-f\b)",
    r"\b(curl|wget)\b[^|]*\|\s*(sudo\s+)?(ba|z|da)?sh\b",
];

/// Hosts a fetch may go to without a flag (a name also allows its
/// subdomains).
pub const DEFAULT_ALLOWED_HOSTS: &[&str] = &["localhost", "127.0.0.1", "::1"];

/// The `[audit]` table of the config file: each key, when present,
/// replaces that list's defaults.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_files: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risky_commands: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_hosts: Option<Vec<String>>,
    /// Folders besides the project where writes are not flagged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_write_paths: Option<Vec<String>>,
}

/// The patterns in force.
#[derive(Debug, Clone)]
pub struct AuditPatterns {
    pub secret_files: Vec<String>,
    pub risky_commands: Vec<(String, Regex)>,
    pub allowed_hosts: Vec<String>,
    pub allowed_write_paths: Vec<String>,
}

/// Equal when the lists are: a regular expression is its source text.
impl PartialEq for AuditPatterns {
    fn eq(&self, other: &Self) -> bool {
        self.to_config() == other.to_config()
    }
}

impl Default for AuditPatterns {
    fn default() -> Self {
        AuditPatterns::from_config(&AuditConfig::default())
            .unwrap_or_else(|_| AuditPatterns::empty())
    }
}

impl AuditPatterns {
    fn empty() -> AuditPatterns {
        AuditPatterns {
            secret_files: Vec::new(),
            risky_commands: Vec::new(),
            allowed_hosts: Vec::new(),
            allowed_write_paths: Vec::new(),
        }
    }

    /// The defaults with what `config` replaces; a pattern that is not a
    /// regular expression is an error naming it.
    pub fn from_config(config: &AuditConfig) -> Result<AuditPatterns, String> {
        let list = |given: &Option<Vec<String>>, default: &[&str]| -> Vec<String> {
            given
                .clone()
                .unwrap_or_else(|| default.iter().map(|s| (*s).to_owned()).collect())
        };
        let risky = list(&config.risky_commands, DEFAULT_RISKY_COMMANDS)
            .into_iter()
            .map(|p| match Regex::new(&p) {
                Ok(r) => Ok((p, r)),
                Err(e) => Err(format!(
                    "key `audit.risky_commands`: `{p}` is not a regular expression ({})",
                    e.to_string().lines().last().unwrap_or("invalid").trim()
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(AuditPatterns {
            secret_files: list(&config.secret_files, DEFAULT_SECRET_FILES),
            risky_commands: risky,
            allowed_hosts: list(&config.allowed_hosts, DEFAULT_ALLOWED_HOSTS)
                .into_iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            allowed_write_paths: list(&config.allowed_write_paths, &[]),
        })
    }

    /// The lists in force, as the config file would say them.
    pub fn to_config(&self) -> AuditConfig {
        AuditConfig {
            secret_files: Some(self.secret_files.clone()),
            risky_commands: Some(self.risky_commands.iter().map(|(p, _)| p.clone()).collect()),
            allowed_hosts: Some(self.allowed_hosts.clone()),
            allowed_write_paths: Some(self.allowed_write_paths.clone()),
        }
    }

    /// The secret-file pattern a path's file name matches.
    pub fn secret_file(&self, path: &str) -> Option<&str> {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        self.secret_files
            .iter()
            .find(|p| glob_matches(p, name))
            .map(String::as_str)
    }

    /// The secret-file pattern any word of a shell command matches.
    pub fn secret_in_command(&self, command: &str) -> Option<&str> {
        command
            .split(|c: char| {
                c.is_whitespace()
                    || matches!(c, '"' | '\'' | ';' | '|' | '&' | '<' | '>' | '(' | ')')
            })
            .filter(|w| !w.is_empty() && !w.starts_with('-'))
            .find_map(|w| self.secret_file(w))
    }

    /// The risky-command pattern a command matches.
    pub fn risky_command(&self, command: &str) -> Option<&str> {
        self.risky_commands
            .iter()
            .find(|(_, r)| r.is_match(command))
            .map(|(p, _)| p.as_str())
    }

    /// The host of `url` when it is not an allowed one.
    pub fn outside_host(&self, url: &str) -> Option<String> {
        let host = host_of(url)?;
        let allowed = self
            .allowed_hosts
            .iter()
            .any(|a| host == *a || host.ends_with(&format!(".{a}")));
        (!allowed).then_some(host)
    }

    /// Whether an absolute path written lies outside the project and the
    /// allowed folders. Relative paths are the project's.
    pub fn write_outside(&self, path: &str, project: Option<&str>) -> bool {
        if !path.starts_with('/') && !is_windows_absolute(path) {
            return false;
        }
        let inside = |root: &str| {
            let root = root.trim_end_matches(['/', '\\']);
            !root.is_empty()
                && path
                    .strip_prefix(root)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '\\']))
        };
        !(project.is_some_and(inside) || self.allowed_write_paths.iter().any(|r| inside(r)))
    }
}

fn is_windows_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/')
}

/// The lower-cased host of an http(s) URL.
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// `*` matches any run of characters, everything else itself (ASCII case
/// ignored).
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let p = pattern.to_ascii_lowercase();
    let t = text.to_ascii_lowercase();
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == t;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !t.starts_with(first) || t.len() < first.len() + last.len() || !t.ends_with(last) {
        return false;
    }
    let mut at = first.len();
    let end = t.len() - last.len();
    for mid in &parts[1..parts.len() - 1] {
        match t[at..end].find(mid) {
            Some(i) => at += i + mid.len(),
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_names() {
        assert!(glob_matches("*.pem", "server.PEM"));
        assert!(glob_matches(".env.*", ".env.local"));
        assert!(!glob_matches(".env.*", ".env"));
        assert!(glob_matches("*credentials*", "aws-credentials.json"));
        assert!(glob_matches("id_rsa*", "id_rsa"));
        assert!(!glob_matches("*.key", "keyboard.rs"));
        assert!(!glob_matches("a*b*c", "acb"));
    }

    #[test]
    fn every_default_pattern_flags_what_it_names_and_not_its_neighbours() {
        let p = AuditPatterns::default();
        for path in [
            "/p/.env",
            "/p/.env.production",
            "/k/server.pem",
            "tls.key",
            "/home/u/.ssh/id_rsa",
            "/home/u/.ssh/id_ed25519.pub",
            "/home/u/.aws/credentials",
            "/home/u/.netrc",
        ] {
            assert!(p.secret_file(path).is_some(), "{path}");
        }
        for path in ["/p/src/env.rs", "/p/.envrc", "/p/keys.rs", "README.md"] {
            assert!(p.secret_file(path).is_none(), "{path}");
        }
        assert!(p.secret_in_command("cat .env | head").is_some());
        assert!(p.secret_in_command("cat ~/.ssh/id_rsa").is_some());
        assert!(p.secret_in_command("cargo test --env x").is_none());
        for cmd in [
            "rm -rf target",
            "rm -fr /",
            "sudo rm -Rf x",
            "rm -r -f build",
            "git push --force origin main",
            "git push -f",
            "git push origin +main --force-with-lease",
            "curl -sSL https://x.sh | sh",
            "wget -qO- https://x | sudo bash",
        ] {
            assert!(p.risky_command(cmd).is_some(), "{cmd}");
        }
        for cmd in [
            "rm -r target",
            "git push origin main",
            "curl https://x -o x.sh",
            "cargo test -- --format=terse",
        ] {
            assert!(p.risky_command(cmd).is_none(), "{cmd}");
        }
        assert_eq!(
            p.outside_host("https://Docs.RS/regex").as_deref(),
            Some("docs.rs")
        );
        assert_eq!(p.outside_host("http://localhost:8080/x"), None);
        assert_eq!(p.outside_host("http://[::1]:9/"), None);
        assert!(p.write_outside("/etc/hosts", Some("/p")));
        assert!(!p.write_outside("/p/src/a.rs", Some("/p")));
        assert!(p.write_outside("/pq/a.rs", Some("/p")));
        assert!(!p.write_outside("src/a.rs", Some("/p")));
    }

    #[test]
    fn a_config_list_replaces_the_defaults_and_a_bad_pattern_is_named() {
        let c = AuditConfig {
            risky_commands: Some(vec![r"\bdocker\s+system\s+prune\b".into()]),
            allowed_hosts: Some(vec!["docs.rs".into()]),
            ..Default::default()
        };
        let p = AuditPatterns::from_config(&c).unwrap();
        assert!(p.risky_command("docker system prune -a").is_some());
        assert!(p.risky_command("rm -rf /").is_none());
        assert_eq!(p.outside_host("https://api.docs.rs/x"), None);
        assert!(p.outside_host("http://localhost/").is_some());
        let bad = AuditConfig {
            risky_commands: Some(vec!["(".into()]),
            ..Default::default()
        };
        let err = AuditPatterns::from_config(&bad).unwrap_err();
        assert!(
            err.starts_with("key `audit.risky_commands`: `(` is not a regular expression"),
            "{err}"
        );
    }
}
