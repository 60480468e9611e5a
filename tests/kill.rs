//! A run killed with SIGKILL leaves nothing at its output paths (README "Exit status":
//! outputs are written to temporary files and renamed into place only on
//! success). Unix only.
#![cfg(unix)]

use crate::common;

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{cmd, run, stderr};

fn generate(dir: &Path, rows: u64) -> std::path::PathBuf {
    let p = dir.join(format!("portfolio-{rows}.csv"));
    if !p.exists() {
        let out = run(cmd().args(["generate", "--rows", &rows.to_string(), "--seed", "11", "--out"]).arg(&p));
        assert_eq!(out.status.code(), Some(0), "generate: {}", stderr(&out));
    }
    p
}

/// Starts `assess`, kills it with SIGKILL after `after`, and returns whether
/// the kill landed while it was still running. Asserts nothing is left at
/// any output path either way it was killed.
fn kill_after(input: &Path, out_dir: &Path, after: Duration) -> bool {
    std::fs::create_dir_all(out_dir).expect("mkdir");
    let results = out_dir.join("results.csv");
    let report = out_dir.join("report.json");
    let report_md = out_dir.join("report.md");
    let rejects = out_dir.join("results.rejects.csv");
    let mut child = cmd()
        .arg("assess")
        .arg(input)
        .args(["--as-of", "2026-01-15", "--threads", "2", "--quiet", "--out"])
        .arg(&results)
        .arg("--report")
        .arg(&report)
        .arg("--report")
        .arg(&report_md)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn assess");
    let start = Instant::now();
    while start.elapsed() < after {
        if child.try_wait().expect("try_wait").is_some() {
            return false; // finished before the kill: too small
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix
    let status = child.wait().expect("wait");
    if status.signal() != Some(SIGKILL) {
        return false; // it exited on its own just before the kill
    }
    for p in [&results, &report, &report_md, &rejects] {
        assert!(!p.exists(), "{} exists after SIGKILL at {:?}", p.display(), after);
    }
    true
}

/// SIGKILL is 9 on every Unix.
const SIGKILL: i32 = 9;

#[test]
fn sigkill_leaves_no_output_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rows = 400_000u64;
    // Kill early (while reading), and later (while writing); retry with a
    // bigger portfolio when a run finishes before its kill.
    for (i, after) in [150u64, 1_000, 3_000].into_iter().enumerate() {
        let mut landed = false;
        for attempt in 0..4 {
            let input = generate(dir.path(), rows);
            let out_dir = dir.path().join(format!("out-{i}-{attempt}"));
            if kill_after(&input, &out_dir, Duration::from_millis(after)) {
                landed = true;
                break;
            }
            rows *= 2;
        }
        assert!(landed, "assess kept finishing before the kill at {after} ms, even with {rows} rows");
    }
}
