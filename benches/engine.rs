//! Criterion benchmarks: the rules engine per loan, money parse and format,
//! and a whole batch (type + assess) of generated rows.
//! Run: `cargo bench --bench engine`.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use deficiency::engine::{Env, assess};
use deficiency::holidays::HolidayCalendar;
use deficiency::input::{Batch, Fields, RecordSource, RowContext, native_csv::CsvSource};
use deficiency::money;
use deficiency::settings::Settings;
use std::hint::black_box;

fn date(s: &str) -> chrono::NaiveDate {
    deficiency::input::values::parse_date(s).unwrap()
}

fn sample_rows(n: u64) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.csv");
    let f = std::fs::File::create(&path).unwrap();
    deficiency::generate::write_csv(n, 11, f).unwrap();
    (dir, path.to_string_lossy().into_owned())
}

fn read_all(path: &str) -> (CsvSource, Batch, usize) {
    let mut src = CsvSource::open(path).unwrap();
    let mut batch = Batch::default();
    let n = src.next_batch(&mut batch, 1 << 20).unwrap();
    (src, batch, n)
}

fn engine(c: &mut Criterion) {
    let settings = Settings::default();
    let env = Env { settings: &settings, calendar: HolidayCalendar::embedded(), as_of: date("2026-01-15") };
    let (_dir, path) = sample_rows(10_000);
    let (src, batch, n) = read_all(&path);
    let cx = RowContext { as_of: env.as_of, assumptions: &[] };
    let mut fields = Fields::default();
    let loans: Vec<_> = (0..n)
        .filter_map(|i| {
            let r = batch.get(i, &mut fields);
            src.header().parse_row(&r, r.row(), r.line(), cx).ok()
        })
        .map(|p| p.loan)
        .collect();

    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(loans.len() as u64));
    g.bench_function("assess_10k_generated_loans", |b| {
        b.iter(|| {
            for l in &loans {
                black_box(assess(black_box(l), env).unwrap());
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("batch");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("parse_and_assess_10k_rows", |b| {
        b.iter(|| {
            for i in 0..n {
                let r = batch.get(i, &mut fields);
                if let Ok(p) = src.header().parse_row(&r, r.row(), r.line(), cx) {
                    black_box(assess(&p.loan, env).unwrap());
                }
            }
        })
    });
    g.bench_function("read_csv_10k_rows", |b| {
        b.iter_batched(|| (), |_| black_box(read_all(&path).2), BatchSize::SmallInput)
    });
    g.finish();
}

fn money_bench(c: &mut Criterion) {
    let inputs: Vec<&[u8]> = vec![b"123456.78", b"$1,234,567.89", b"0.5", b"78250.509", b"1500000"];
    let mut g = c.benchmark_group("money");
    g.throughput(Throughput::Elements(inputs.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| {
            for s in &inputs {
                black_box(money::parse_money(black_box(s)).unwrap());
            }
        })
    });
    let values: Vec<_> = inputs.iter().map(|s| money::parse_money(s).unwrap()).collect();
    let mut buf = Vec::with_capacity(64);
    g.bench_function("format", |b| {
        b.iter(|| {
            for v in &values {
                buf.clear();
                money::format_cents(black_box(*v), &mut buf);
            }
            black_box(buf.len())
        })
    });
    g.finish();
}

criterion_group!(benches, engine, money_bench);
criterion_main!(benches);
