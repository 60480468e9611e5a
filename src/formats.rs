//! File formats, told apart by a path's extension (case-insensitive), in one
//! place. Each command then says which of them it reads or writes.

use std::path::Path;

/// A file format the tool reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// `.csv`
    Csv,
    /// `.csv.gz`
    CsvGz,
    /// `.txt` (agency files; read as CSV in the native layout)
    Text,
    /// `.parquet`
    Parquet,
    /// `.jsonl`, `.ndjson`
    Jsonl,
    /// `.json`
    Json,
    /// `.md`, `.markdown`
    Markdown,
    /// `.html`, `.htm`
    Html,
    /// `.xlsx` (an Excel workbook)
    Xlsx,
}

impl FileFormat {
    /// The format a path's name says, if any.
    pub fn of(path: impl AsRef<Path>) -> Option<FileFormat> {
        let name = path.as_ref().file_name()?.to_string_lossy().to_ascii_lowercase();
        const BY_SUFFIX: &[(&str, FileFormat)] = &[
            (".csv.gz", FileFormat::CsvGz),
            (".csv", FileFormat::Csv),
            (".txt", FileFormat::Text),
            (".parquet", FileFormat::Parquet),
            (".jsonl", FileFormat::Jsonl),
            (".ndjson", FileFormat::Jsonl),
            (".json", FileFormat::Json),
            (".md", FileFormat::Markdown),
            (".markdown", FileFormat::Markdown),
            (".html", FileFormat::Html),
            (".htm", FileFormat::Html),
            (".xlsx", FileFormat::Xlsx),
        ];
        BY_SUFFIX.iter().find(|(suffix, _)| name.ends_with(suffix)).map(|(_, f)| *f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(FileFormat::of("a/B.CSV"), Some(FileFormat::Csv));
        assert_eq!(FileFormat::of("x.csv.gz"), Some(FileFormat::CsvGz));
        assert_eq!(FileFormat::of("r.Parquet"), Some(FileFormat::Parquet));
        assert_eq!(FileFormat::of("r.ndjson"), Some(FileFormat::Jsonl));
        assert_eq!(FileFormat::of("r.htm"), Some(FileFormat::Html));
        assert_eq!(FileFormat::of("r.XLSX"), Some(FileFormat::Xlsx));
        assert_eq!(FileFormat::of("r.xls"), None);
        assert_eq!(FileFormat::of("-"), None);
    }
}
