//! README "Daily runs": `scripts/daily-run.sh` run twice, as a cron job
//! would on two mornings, with a stand-in for `mail`: dated results and
//! reports are kept, the second run compares with the first, and the mail
//! carries the deadline watch and what changed.

use crate::common::{bin, read_csv_maps};
use std::path::Path;
use std::process::Command;

fn daily(runs: &Path, day: &str, mailer: &Path) -> std::process::Output {
    Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/daily-run.sh"))
        .args(["data/sample-portfolio.csv"])
        .arg(runs)
        .arg(day)
        .env("DEFICIENCY", bin())
        .env("MAIL_TO", "ops@example.com")
        .env("MAILER", mailer)
        .output()
        .expect("run scripts/daily-run.sh")
}

#[test]
fn two_mornings_keep_dated_runs_compare_them_and_mail_the_watch_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let runs = dir.path().join("runs");
    let outbox = dir.path().join("outbox");
    std::fs::create_dir_all(&outbox).expect("mkdir");
    // A `mail` that files each message (its arguments, then its body).
    let mailer = dir.path().join("mail");
    std::fs::write(
        &mailer,
        format!("#!/bin/sh\nn=$(ls {0} | wc -l)\n{{ echo \"$*\"; cat; }} > {0}/$n.txt\n", outbox.display()),
    )
    .expect("mailer");
    std::fs::set_permissions(&mailer, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");

    for day in ["2026-01-15", "2026-02-20"] {
        let o = daily(&runs, day, &mailer);
        assert_eq!(o.status.code(), Some(0), "{day}: {}", String::from_utf8_lossy(&o.stderr));
        for f in ["results.csv", "report.html", "report.json", "report.md", "summary.xlsx", "mail.txt"] {
            assert!(runs.join(day).join(f).is_file(), "{day}/{f}");
        }
    }
    // The first morning has nothing to compare with; the second does.
    assert!(!runs.join("2026-01-15/changes.csv").exists());
    let (_, changes) = read_csv_maps(&runs.join("2026-02-20/changes.csv"));
    // Exactly the loans whose deadline fell between the two mornings, from
    // the first morning's results.
    let (_, first) = read_csv_maps(&runs.join("2026-01-15/results.csv"));
    let passed: Vec<&str> = first
        .iter()
        .filter(|r| ("2026-01-15".."2026-02-20").contains(&r["action_deadline"].as_str()))
        .map(|r| r["loan_id"].as_str())
        .collect();
    assert!(!passed.is_empty());
    let flagged: Vec<&str> = changes
        .iter()
        .filter(|r| r["change"].split(';').any(|c| c == "deadline_passed"))
        .map(|r| r["loan_id"].as_str())
        .collect();
    assert_eq!(flagged, passed);

    // Two mails; the second names the loans to act on and the changes.
    let mut mails: Vec<String> = std::fs::read_dir(&outbox)
        .expect("outbox")
        .map(|e| std::fs::read_to_string(e.expect("mail").path()).expect("mail"))
        .collect();
    mails.sort();
    assert_eq!(mails.len(), 2);
    let second = mails.iter().find(|m| m.contains("2026-02-20")).expect("the second morning's mail");
    assert!(second.starts_with("-s deficiency 2026-02-20: due within 30 days:"), "{second}");
    assert!(second.contains("ops@example.com"));
    assert!(second.contains("## Deadline watch") && second.contains("### Lost this month"), "{second}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(runs.join("2026-02-20/report.json")).expect("json"))
            .expect("json");
    for e in report["deadline_watch"]["loans"].as_array().expect("loans") {
        assert!(second.contains(&format!("| {} |", e["loan_id"].as_str().expect("id"))), "{second}");
    }
    assert!(second.contains("## What changed since 2026-01-15"), "{second}");
    for id in &passed {
        assert!(second.contains(&format!("| {id} |")), "{id} not in the mail: {second}");
    }
}
