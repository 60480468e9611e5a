//! The README's example commands are run here, so they cannot rot: every
//! `cargo run -- ...` line in a ```sh block is run against the built binary,
//! in a scratch directory that sees the repository's `data/`.

use std::path::Path;
use std::process::Command;

fn readme_commands() -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut cmds = Vec::new();
    let mut in_sh = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = !in_sh && t == "```sh";
            continue;
        }
        if in_sh {
            for prefix in ["cargo run -q -- ", "cargo run -- "] {
                if let Some(rest) = t.strip_prefix(prefix) {
                    cmds.push(rest.to_string());
                }
            }
        }
    }
    cmds
}

/// Splits a command line on spaces, honouring double quotes.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn readme_examples_run() {
    let cmds = readme_commands();
    assert!(cmds.len() >= 2, "expected the quick start and explain examples in README.md, found {cmds:?}");
    let dir = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(Path::new(env!("CARGO_MANIFEST_DIR")).join("data"), dir.path().join("data")).unwrap();
    for cmd in &cmds {
        let out =
            Command::new(env!("CARGO_BIN_EXE_deficiency")).args(words(cmd)).current_dir(dir.path()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "README example failed: deficiency {cmd}\n{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        if let Some(i) = words(cmd).iter().position(|w| w == "--out") {
            let path = &words(cmd)[i + 1];
            assert!(dir.path().join(path).exists(), "README example did not write {path}");
        }
    }
    // The quick start's report says what the README claims about the sample.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/report.json")).unwrap()).unwrap();
    assert_eq!(report["rows"]["rejected"], 0);
    let assessed = report["rows"]["assessed"].as_u64().unwrap();
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("assesses the {assessed} sample loans")),
        "README should state the sample has {assessed} loans"
    );
    let outcomes: Vec<&str> =
        report["by_outcome"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    for o in crate::common::OUTCOMES {
        assert!(outcomes.contains(o), "the sample portfolio should show every outcome; {o} is missing");
    }
}
