//! The documents users read cannot drift from the tool: the README's tables
//! of columns, rule codes, flags and settings equal `deficiency rules
//! --json`; docs/law.md has a section for every code, flag and setting; and
//! nothing the tool prints names a file that is not in the repository.

use crate::common;

use common::{cmd, run, stderr};
use std::collections::BTreeSet;
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn rules_json() -> serde_json::Value {
    let o = run(cmd().args(["rules", "--json"]));
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("rules --json")
}

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).expect("README.md")
}

/// The rows of the Markdown table whose header line is `header`, split into
/// trimmed cells.
fn table(text: &str, header: &str) -> Vec<Vec<String>> {
    let start = text.find(header).unwrap_or_else(|| panic!("README has no table headed {header:?}"));
    text[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim().trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect())
        .collect()
}

/// The tables of the section that starts at `heading`, up to the next `## `.
fn section<'a>(text: &'a str, heading: &str) -> &'a str {
    let start = text.find(heading).unwrap_or_else(|| panic!("README has no section {heading:?}"));
    let rest = &text[start + heading.len()..];
    let end = rest.find("\n## ").map_or(rest.len(), |e| e);
    &rest[..end]
}

/// Names in backticks in a cell: "`a`, `b` [0]" gives a, b.
fn ticked(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// A cell without its `[default]` parts.
fn without_defaults(cell: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in cell.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn strings(v: &serde_json::Value, list: &str, key: &str) -> Vec<String> {
    v[list].as_array().expect(list).iter().map(|x| x[key].as_str().expect(key).to_string()).collect()
}

fn show(rows: &[String]) -> String {
    rows.join("\n")
}

#[test]
fn readme_rule_flag_and_setting_tables_equal_rules_json() {
    let j = rules_json();
    let text = readme();
    let mut expected: Vec<String> = j["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| {
            format!(
                "{} | `{}` | {} | {}",
                r["step"],
                r["code"].as_str().unwrap(),
                r["citation"].as_str().unwrap(),
                r["summary"].as_str().unwrap()
            )
        })
        .collect();
    expected.push(format!(
        "– | `{}` | the provision that needs the fact | {}",
        j["missing_fact"]["code"].as_str().unwrap(),
        j["missing_fact"]["summary"].as_str().unwrap()
    ));
    let got: Vec<String> = table(&text, "| step | code | citation | summary |").iter().map(|r| r.join(" | ")).collect();
    assert_eq!(show(&got), show(&expected), "README \"Rule codes\" differs from `deficiency rules --json`");

    let mut expected: Vec<String> = j["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .map(|f| format!("`{}` | {}", f["code"].as_str().unwrap(), f["meaning"].as_str().unwrap()))
        .collect();
    expected.push("`assumed:<column>` | this fact came from an --assume, not from the input".into());
    let got: Vec<String> = table(&text, "| flag | meaning |").iter().map(|r| r.join(" | ")).collect();
    assert_eq!(show(&got), show(&expected), "README \"Flags\" differs from `deficiency rules --json`");

    let expected: Vec<String> = j["settings"]
        .as_array()
        .expect("settings")
        .iter()
        .map(|s| {
            format!(
                "`{}` | `{}` | {}",
                s["name"].as_str().unwrap(),
                s["default"].as_str().unwrap(),
                s["meaning"].as_str().unwrap()
            )
        })
        .collect();
    let got: Vec<String> =
        table(&text, "| setting | default | what it decides |").iter().map(|r| r.join(" | ")).collect();
    assert_eq!(show(&got), show(&expected), "README \"Settings\" differs from `deficiency rules --json`");

    let expected: Vec<String> = j["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|q| {
            let answers: Vec<&str> = q["answers"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
            format!(
                "{} | `{}` | {} | {}",
                q["rank"],
                q["reason"].as_str().unwrap(),
                q["citation"].as_str().unwrap(),
                answers.join(" / ")
            )
        })
        .collect();
    let got: Vec<String> =
        table(&text, "| rank | reason | citation | answers |").iter().map(|r| r.join(" | ")).collect();
    assert_eq!(show(&got), show(&expected), "README \"Questions\" differs from `deficiency rules --json`");
}

#[test]
fn readme_column_tables_equal_rules_json() {
    let j = rules_json();
    let text = readme();
    let results: Vec<String> = table(section(&text, "## Output: per-loan results"), "| column | meaning |")
        .iter()
        .flat_map(|r| ticked(&r[0]))
        .collect();
    assert_eq!(results, strings(&j, "result_columns", "name"), "README results columns");

    let input = section(&text, "## Input: the native layout");
    let mut named = BTreeSet::new();
    let mut rest = input;
    while let Some(i) = rest.find("| column | meaning |") {
        for r in table(&rest[i..], "| column | meaning |") {
            named.extend(ticked(&without_defaults(&r[0])));
        }
        rest = &rest[i + 1..];
    }
    let declared: BTreeSet<String> = strings(&j, "input_columns", "name").into_iter().collect();
    assert_eq!(named, declared, "README input columns differ from the declared input columns");
}

/// GitHub's anchor for a heading: lower case, spaces to hyphens, other
/// punctuation but `_` and `-` dropped.
fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '_' || c == '-' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn law_headings() -> (BTreeSet<String>, BTreeSet<String>) {
    let law = std::fs::read_to_string(repo().join("docs/law.md")).expect("docs/law.md");
    let headings: BTreeSet<String> =
        law.lines().filter_map(|l| l.strip_prefix("### ")).map(|h| h.trim().to_string()).collect();
    let anchors =
        law.lines().filter(|l| l.starts_with('#')).map(|l| anchor(l.trim_start_matches('#').trim())).collect();
    (headings, anchors)
}

#[test]
fn docs_law_md_has_a_section_for_every_code_flag_and_setting() {
    let j = rules_json();
    let (headings, anchors) = law_headings();
    let mut missing = Vec::new();
    for code in strings(&j, "rules", "code").into_iter().chain(strings(&j, "flags", "code")) {
        if !headings.contains(&code) {
            missing.push(code);
        }
    }
    for c in ["missing:<column>", "assumed:<column>"] {
        if !headings.contains(c) {
            missing.push(c.to_string());
        }
    }
    for s in j["settings"].as_array().expect("settings") {
        let basis = s["basis"].as_str().expect("basis");
        match basis.strip_prefix("docs/law.md#") {
            Some(a) if anchors.contains(a) => {}
            _ => missing.push(format!("setting {}: basis {basis}", s["name"])),
        }
    }
    assert!(missing.is_empty(), "docs/law.md lacks: {missing:?}");
}

/// Every text the tool prints for a person: help, rules, explanations,
/// reports.
fn printed_texts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut take = |what: String, o: std::process::Output| {
        out.push((what, format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))));
    };
    for c in [&[][..], &["assess"], &["explain"], &["rules"], &["report"], &["generate"], &["diff"], &["map"]] {
        let mut args: Vec<&str> = c.to_vec();
        args.push("--help");
        take(format!("{args:?}"), run(cmd().args(&args)));
    }
    take("rules".into(), run(cmd().arg("rules")));
    take("rules --json".into(), run(cmd().args(["rules", "--json"])));
    let sample = repo().join("data/sample-portfolio.csv").display().to_string();
    let (_, rows) = common::read_csv_maps(&repo().join("data/sample-portfolio.csv"));
    for r in &rows {
        let id = &r["loan_id"];
        take(format!("explain {id}"), run(cmd().args(["explain", &sample, "--loan", id, "--as-of", "2026-01-15"])));
        take(
            format!("explain --json {id}"),
            run(cmd().args(["explain", &sample, "--loan", id, "--as-of", "2026-01-15", "--json"])),
        );
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args = vec!["assess".to_string(), sample.clone(), "--as-of".into(), "2026-01-15".into()];
    let reports: Vec<_> = ["r.md", "r.html", "r.json", "r.csv"].iter().map(|n| dir.path().join(n)).collect();
    for p in &reports {
        args.push("--report".into());
        args.push(p.display().to_string());
    }
    args.push("--out".into());
    args.push(dir.path().join("out.csv").display().to_string());
    take("assess".into(), run(cmd().args(&args)));
    for p in &reports {
        out.push((p.display().to_string(), std::fs::read_to_string(p).expect("report")));
    }
    out
}

#[test]
fn printed_text_names_no_file_outside_the_repository() {
    let texts = printed_texts();
    assert!(texts.len() > 20);
    let (_, anchors) = law_headings();
    let mut problems = Vec::new();
    for (what, text) in &texts {
        for bad in ["LEGAL-RULES", "LEGAL-R2", "SPEC ", "SPEC §", "SPEC-R2", "DATASETS", "shared/", "UNVERIFIED, "] {
            if text.contains(bad) {
                problems.push(format!("{what}: names {bad:?}"));
            }
        }
        for (i, _) in text.match_indices("docs/") {
            let tail: String =
                text[i..].chars().take_while(|c| c.is_alphanumeric() || "/._-#:<>".contains(*c)).collect();
            let (file, frag) = tail.split_once('#').unwrap_or((&tail, ""));
            let file = file.trim_end_matches(['.', ':']);
            if !repo().join(file).is_file() {
                problems.push(format!("{what}: names {file}, which is not in the repository"));
            } else if !frag.is_empty() && !anchors.contains(frag.trim_end_matches(['.', ':'])) {
                problems.push(format!("{what}: names {tail}, which has no such section"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
