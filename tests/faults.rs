//! Faults of a real machine (README "What happens when…"): a full disk, an
//! input cut short or changed while it is read, SIGINT and SIGTERM, output
//! paths that cannot be written, and inputs built to exhaust memory. Each
//! ends with a clear message, the documented exit code and nothing partial
//! on disk. Unix only.
#![cfg(unix)]

use crate::common::{assert_no_panic, cmd, run, stderr};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample-portfolio.csv")
}

fn generate(dir: &Path, rows: u64, ext: &str) -> PathBuf {
    let p = dir.join(format!("portfolio-{rows}.{ext}"));
    if !p.exists() {
        let out = run(cmd().args(["generate", "--rows", &rows.to_string(), "--seed", "13", "--out"]).arg(&p));
        assert_eq!(out.status.code(), Some(0), "generate: {}", stderr(&out));
    }
    p
}

/// Every file under `dir` (recursively), as names relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap_or(&p).display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// A small filesystem mounted at `dir` (a tmpfs of `kb` KB; `ro` mounts it
/// read-only), unmounted on drop. `None` where mounting is not allowed.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(dir: &Path, kb: u32, ro: bool) -> Option<Mount> {
        std::fs::create_dir_all(dir).unwrap();
        let opts = format!("{}size={kb}k", if ro { "ro," } else { "" });
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &opts, "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount(dir.to_path_buf()))
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// `assess` with its file size limited to `bytes` (what a full disk looks
/// like to a process that cannot mount a small one): writes past it fail
/// with EFBIG instead of killing the process with SIGXFSZ.
fn with_file_limit(c: &mut Command, bytes: u64) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        c.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

/// An input whose every row is rejected (so the rejects file is the big one).
fn all_rejected(dir: &Path, rows: u64) -> PathBuf {
    let src = std::fs::read_to_string(generate(dir, rows, "csv")).unwrap();
    let mut lines = src.lines();
    let mut out = String::from(lines.next().unwrap());
    out.push('\n');
    for l in lines {
        // the event date (third column) is never a date
        let mut cells: Vec<&str> = l.splitn(4, ',').collect();
        cells[2] = "not-a-date";
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    let p = dir.join("all-rejected.csv");
    std::fs::write(&p, out).unwrap();
    p
}

#[test]
fn disk_full_while_writing_results_rejects_or_a_report_exits_2_and_leaves_nothing() {
    let d = tempfile::tempdir().unwrap();
    let d = d.path();
    let big = generate(d, 20_000, "csv");
    let bad = all_rejected(d, 20_000);
    // (the output that does not fit, its flags, the input)
    let cases: [(&str, &[&str], &Path); 4] = [
        ("results.csv", &["--out", "{full}/results.csv", "--rejects", "{ok}/r.rejects.csv"], &big),
        ("r.rejects.csv", &["--out", "{ok}/results.csv", "--rejects", "{full}/r.rejects.csv"], &bad),
        ("report.html", &["--out", "{ok}/results.csv", "--report", "{full}/report.html"], &big),
        ("results.parquet", &["--out", "{full}/results.parquet", "--report", "{ok}/report.json"], &big),
    ];
    for (i, (name, flags, input)) in cases.iter().enumerate() {
        let full = d.join(format!("full-{i}"));
        let ok = d.join(format!("ok-{i}"));
        std::fs::create_dir_all(&ok).unwrap();
        let mount = Mount::tmpfs(&full, 16, false);
        let mut c = cmd();
        c.arg("assess").arg(input).args(["--as-of", "2026-01-15", "--quiet"]);
        for f in flags.iter() {
            c.arg(f.replace("{full}", &full.display().to_string()).replace("{ok}", &ok.display().to_string()));
        }
        if mount.is_none() {
            // No tmpfs here: the same fault through a file size limit.
            eprintln!("note: cannot mount a tmpfs; simulating a full disk with RLIMIT_FSIZE");
            std::fs::create_dir_all(&full).unwrap();
            with_file_limit(&mut c, 16 * 1024);
        }
        let out = run(&mut c);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(name) && err.contains("cannot write"), "{name}: {err}");
        assert_eq!(files_under(&full), Vec::<String>::new(), "{name}: left on the full disk");
        assert_eq!(files_under(&ok), Vec::<String>::new(), "{name}: other outputs left");
        drop(mount);
    }
}

#[test]
fn stdout_on_a_full_device_exits_2_naming_stdout() {
    let out = run(cmd()
        .arg("assess")
        .arg(sample())
        .args(["--as-of", "2026-01-15"])
        .stdout(File::create("/dev/full").unwrap()));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("stdout") && stderr(&out).contains("No space left"), "{}", stderr(&out));
}

/// Starts a run on `input` writing into `out`, sends `sig` after `after`;
/// `None` if the run ended before the signal.
fn signal_after(input: &Path, out: &Path, sig: &str, after: Duration) -> Option<(Option<i32>, String)> {
    std::fs::create_dir_all(out).unwrap();
    let mut child: Child = cmd()
        .arg("assess")
        .arg(input)
        .args(["--as-of", "2026-01-15", "--threads", "2", "--quiet", "--out"])
        .arg(out.join("results.csv"))
        .arg("--report")
        .arg(out.join("report.json"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while start.elapsed() < after {
        if child.try_wait().unwrap().is_some() {
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let sent = Command::new("kill").args([&format!("-{sig}"), &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    Some((out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned()))
}

#[test]
fn sigterm_and_sigint_remove_temporary_files_and_exit_143_and_130() {
    let d = tempfile::tempdir().unwrap();
    let d = d.path();
    for (sig, code) in [("TERM", 143), ("INT", 130)] {
        let mut rows = 300_000;
        let mut landed = false;
        for attempt in 0..4 {
            let input = generate(d, rows, "csv");
            let out = d.join(format!("out-{sig}-{attempt}"));
            match signal_after(&input, &out, sig, Duration::from_millis(400)) {
                None => rows *= 2,
                Some((status, err)) => {
                    assert!(!err.contains("panicked"), "{err}");
                    if status == Some(0) {
                        rows *= 2; // finished as the signal came
                        continue;
                    }
                    assert_eq!(status, Some(code), "SIG{sig}: {err}");
                    assert!(err.contains("temporary output files removed"), "{err}");
                    assert_eq!(files_under(&out), Vec::<String>::new(), "SIG{sig} left files");
                    landed = true;
                    break;
                }
            }
        }
        assert!(landed, "SIG{sig} never reached a running assess");
    }
}

#[test]
fn an_input_cut_short_is_a_reject_or_a_clear_error_never_a_panic() {
    let d = tempfile::tempdir().unwrap();
    let d = d.path();
    // A CSV cut in the middle of a row: the short row is rejected, the rest assessed.
    let csv = std::fs::read(sample()).unwrap();
    let cut = &csv[..csv.len() / 2];
    let cut = &cut[..cut.iter().rposition(|b| *b == b',').unwrap()];
    std::fs::write(d.join("cut.csv"), cut).unwrap();
    let out =
        run(cmd().arg("assess").arg(d.join("cut.csv")).args(["--as-of", "2026-01-15", "--out"]).arg(d.join("r.csv")));
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let rejects = std::fs::read_to_string(d.join("r.rejects.csv")).unwrap();
    assert!(rejects.contains("fields but the header has"), "{rejects}");
    // A Parquet file cut inside a row group: not readable, said so, nothing written.
    let pq = std::fs::read(generate(d, 5_000, "parquet")).unwrap();
    std::fs::write(d.join("cut.parquet"), &pq[..pq.len() * 3 / 5]).unwrap();
    let out = run(cmd()
        .arg("assess")
        .arg(d.join("cut.parquet"))
        .args(["--as-of", "2026-01-15", "--out"])
        .arg(d.join("p.csv")));
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("cut.parquet") && stderr(&out).contains("not a readable Parquet file"));
    assert!(!d.join("p.csv").exists());
}

#[test]
fn an_input_truncated_while_it_is_read_never_panics() {
    let d = tempfile::tempdir().unwrap();
    let d = d.path();
    let input = generate(d, 400_000, "csv");
    let copy = d.join("shrinking.csv");
    std::fs::copy(&input, &copy).unwrap();
    let len = std::fs::metadata(&copy).unwrap().len();
    let child = cmd()
        .arg("assess")
        .arg(&copy)
        .args(["--as-of", "2026-01-15", "--quiet", "--out"])
        .arg(d.join("r.csv"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(150));
    File::options().write(true).open(&copy).unwrap().set_len(len / 3).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_no_panic(&out);
    // Whatever it managed to read: assessed, rejected or a fatal error.
    assert!(matches!(out.status.code(), Some(0..=2)), "{:?}: {}", out.status, stderr(&out));
}

#[test]
fn unwritable_output_paths_exit_2_with_the_reason() {
    let d = tempfile::tempdir().unwrap();
    let d = d.path();
    std::os::unix::fs::symlink("/nonexistent/dir", d.join("gone")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/dir/r.csv", d.join("dangling.csv")).unwrap();
    std::fs::create_dir(d.join("folder.csv")).unwrap();
    let ro = d.join("ro");
    let mount = Mount::tmpfs(&ro, 64, true);
    if mount.is_none() {
        eprintln!("note: cannot mount a read-only tmpfs; using a directory without write permission");
        std::fs::create_dir_all(&ro).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    for (path, says) in [
        (d.join("folder.csv"), "is a directory"),
        (d.join("gone/r.csv"), "is a symbolic link to /nonexistent/dir, which does not exist"),
        (d.join("dangling.csv"), "is a symbolic link to /nonexistent/dir/r.csv, whose directory does not exist"),
        (ro.join("r.csv"), if mount.is_some() { "Read-only file system" } else { "ermission denied" }),
    ] {
        let out = run(cmd().arg("assess").arg(sample()).args(["--as-of", "2026-01-15", "--out"]).arg(&path));
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(2), "{}: {}", path.display(), stderr(&out));
        assert!(stderr(&out).contains(&path.display().to_string()) && stderr(&out).contains(says), "{}", stderr(&out));
    }
    assert_eq!(files_under(&ro), Vec::<String>::new());
    // A link to a file in a directory that exists is followed, not replaced.
    std::os::unix::fs::symlink("real.csv", d.join("link.csv")).unwrap();
    let out = run(cmd()
        .arg("assess")
        .arg(sample())
        .args(["--as-of", "2026-01-15", "--quiet", "--out"])
        .arg(d.join("link.csv")));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(d.join("link.csv").symlink_metadata().unwrap().is_symlink());
    assert!(std::fs::read_to_string(d.join("real.csv")).unwrap().starts_with("row,loan_id,"));
}

/// Where a child's stderr goes: a file, read back once it has exited (a
/// pipe nobody reads fills up and stops a chatty child).
fn err_file(dir: &Path, name: &str) -> (Stdio, PathBuf) {
    let p = dir.join(format!("{name}.stderr"));
    (Stdio::from(File::create(&p).unwrap()), p)
}

/// Peak resident memory of a child in MB, polled from /proc while it runs;
/// its stderr read back from `err`.
fn peak_mb(mut child: Child, err: &Path) -> (std::process::Output, u64) {
    let mut peak = 0;
    let status_path = format!("/proc/{}/status", child.id());
    while child.try_wait().unwrap().is_none() {
        if let Ok(s) = std::fs::read_to_string(&status_path)
            && let Some(kb) = s.lines().find_map(|l| l.strip_prefix("VmHWM:"))
        {
            peak = peak.max(kb.trim().trim_end_matches("kB").trim().parse::<u64>().unwrap_or(0) / 1024);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut out = child.wait_with_output().unwrap();
    out.stderr = std::fs::read(err).unwrap();
    (out, peak)
}

#[test]
fn a_2gb_line_a_100000_column_header_and_10m_empty_lines_use_bounded_memory() {
    let d = tempfile::tempdir().unwrap();
    let d = d.path();
    let run_peak = |input: &Path, name: &str| {
        let (err, err_path) = err_file(d, name);
        let child = cmd()
            .arg("assess")
            .arg(input)
            .args(["--as-of", "2026-01-15", "--quiet", "--out"])
            .arg(d.join("r.csv"))
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .unwrap();
        peak_mb(child, &err_path)
    };
    // 2 GB without a line end, streamed through stdin (nothing on disk).
    let header = std::fs::read_to_string(sample()).unwrap().lines().next().unwrap().to_string();
    let (err, err_path) = err_file(d, "long-line");
    let mut child = cmd()
        .args(["assess", "-", "--as-of", "2026-01-15", "--quiet", "--out"])
        .arg(d.join("r.csv"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let first = header.clone();
    let feeder = std::thread::spawn(move || {
        let _ = writeln!(stdin, "{first}");
        let block = vec![b'x'; 1 << 20];
        for _ in 0..2048 {
            if stdin.write_all(&block).is_err() {
                break; // it stopped reading: the error is on its way
            }
        }
    });
    let (out, mb) = peak_mb(child, &err_path);
    feeder.join().unwrap();
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is longer than"), "{}", stderr(&out));
    assert!(mb < 400, "a 2 GB line took {mb} MB");

    // 100,000 columns in the header.
    let wide: Vec<String> = (0..100_000).map(|i| format!("extra_column_{i}")).collect();
    std::fs::write(d.join("wide.csv"), format!("{header},{}\n", wide.join(","))).unwrap();
    let (out, mb) = run_peak(&d.join("wide.csv"), "wide");
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("extra_column_19 and 99980 more") && stderr(&out).len() < 2000, "{}", stderr(&out));
    assert!(mb < 400, "a 100,000-column header took {mb} MB");

    // 10 million empty lines after the header.
    let mut f = std::io::BufWriter::new(File::create(d.join("empty.csv")).unwrap());
    writeln!(f, "{header}").unwrap();
    let block = vec![b'\n'; 1 << 20];
    for _ in 0..10 {
        f.write_all(&block[..1_000_000]).unwrap();
    }
    drop(f);
    let (out, mb) = run_peak(&d.join("empty.csv"), "empty");
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(d.join("r.csv")).unwrap().lines().count(), 1, "a header-only results file");
    assert!(mb < 400, "10M empty lines took {mb} MB");
}

/// README "What happens when…": every row names a test, and that test exists.
#[test]
fn every_row_of_the_readme_fault_table_names_a_test_that_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme.split("### What happens when…").nth(1).expect("README section").split("\n#").next().unwrap();
    let tests: String = std::fs::read_dir(root.join("tests"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    let mut rows = 0;
    let mut last = String::new();
    for line in section.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| fault")) {
        let cell = line.trim_end_matches('|').rsplit('|').next().unwrap().trim();
        let name = match cell {
            "same test" => last.clone(),
            c => c.trim_matches('`').to_string(),
        };
        assert!(tests.contains(&format!("fn {name}()")), "README fault row names no test: {line}");
        last = name;
        rows += 1;
    }
    assert!(rows >= 15, "{rows} rows");
}
