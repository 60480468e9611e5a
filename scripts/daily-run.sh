#!/usr/bin/env bash
# The nightly screen (README "Daily runs"):
#
#   scripts/daily-run.sh PORTFOLIO RUNS_DIR [AS_OF]
#
# 1. assesses PORTFOLIO as of AS_OF (default: today) into RUNS_DIR/AS_OF/:
#    results.csv, results.rejects.csv, report.html, report.json, report.md
#    and summary.xlsx (the report as a workbook, for the people who act on
#    it);
# 2. compares the results with the latest earlier run in RUNS_DIR
#    (`deficiency diff`): changes.csv and changes.md;
# 3. mails the deadline watch and what changed to MAIL_TO (when set), with
#    MAILER (default `mail`) as `MAILER -s SUBJECT MAIL_TO < BODY`; the body
#    is also kept as mail.txt.
#
# Environment: DEFICIENCY (the binary; default `deficiency` on PATH),
# MAIL_TO, MAILER, ASSESS_ARGS (more arguments for assess, e.g. "--map
# export-map.toml --settings ours.toml").
#
# Exit status: 0 when the run and the comparison worked (whatever changed),
# 1 when rows were rejected, 2 when assess or diff failed (mailed too).
set -uo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: scripts/daily-run.sh PORTFOLIO RUNS_DIR [AS_OF]" >&2
    exit 2
fi
portfolio=$1
runs=$2
day=${3:-$(date +%F)}
bin=${DEFICIENCY:-deficiency}
dir="$runs/$day"
mkdir -p "$dir"

mail_out() { # mail_out SUBJECT BODY_FILE
    if [[ -n ${MAIL_TO:-} ]]; then
        "${MAILER:-mail}" -s "$1" "$MAIL_TO" <"$2"
    fi
}

# shellcheck disable=SC2086 # ASSESS_ARGS is split on purpose
"$bin" assess "$portfolio" --as-of "$day" --quiet ${ASSESS_ARGS:-} \
    --out "$dir/results.csv" \
    --report "$dir/report.html" --report "$dir/report.json" --report "$dir/report.md" \
    --report "$dir/summary.xlsx"
status=$?
if [[ $status -ge 2 ]]; then
    echo "deficiency assess failed (exit $status) for $portfolio as of $day; nothing was written." >"$dir/mail.txt"
    mail_out "deficiency $day: the screen FAILED (exit $status)" "$dir/mail.txt"
    exit 2
fi

# The latest earlier run with results.
prev=""
for d in "$runs"/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]; do
    [[ -f $d/results.csv && $(basename "$d") < $day ]] && prev=$d
done

{
    echo "Deficiency screen of $portfolio as of $day"
    [[ $status -eq 1 ]] && echo "Some rows were rejected: see $dir/results.rejects.csv"
    echo
    # The watch section of the Markdown report, up to the totals.
    sed -n '/^## Deadline watch/,/^## Totals/p' "$dir/report.md" | sed '$d'
} >"$dir/mail.txt"

if [[ -n $prev ]]; then
    "$bin" diff "$prev/results.csv" "$dir/results.csv" \
        --old-as-of "$(basename "$prev")" --new-as-of "$day" \
        --out "$dir/changes.csv" --report "$dir/changes.md" --quiet
    dstatus=$?
    if [[ $dstatus -ge 2 ]]; then
        echo "deficiency diff against $prev failed (exit $dstatus)" >>"$dir/mail.txt"
        mail_out "deficiency $day: the comparison FAILED" "$dir/mail.txt"
        exit 2
    fi
    {
        echo
        echo "## What changed since $(basename "$prev")"
        echo
        sed '1,/^$/d' "$dir/changes.md"
    } >>"$dir/mail.txt"
fi

due=$(sed -n 's/^| 30 days | \([0-9]*\) | \(.*\) |$/\1 loans, \2/p' "$dir/report.md")
mail_out "deficiency $day: due within 30 days: ${due:-none}" "$dir/mail.txt"
exit "$status"
