//! The acquisition (origination) facts of every loan, keyed by loan id.

use super::*;

/// Loan-level facts from acquisition / origination files.
#[derive(Debug, Default)]
pub(crate) struct OrigTable {
    pub(crate) index: HashMap<Box<str>, u32>,
    pub(crate) facts: Vec<OrigFacts>,
    pub(crate) seen: Vec<bool>,
}

impl OrigTable {
    pub(crate) fn load(&mut self, mut lines: Lines, kind: FileKind) -> Result<(), InputError> {
        let mut offs = Vec::new();
        let mut width = None;
        let path = lines.path.clone();
        while let Some((line_no, text)) = lines.next()? {
            split(text, &mut offs);
            let row = Row::new(text, &offs);
            let w = *width.get_or_insert(row.len());
            if row.len() != w {
                return Err(InputError::Line {
                    path: path.clone(),
                    line: line_no,
                    message: format!(
                        "it has {} fields but the first record has {w}; check for a stray or missing delimiter",
                        row.len()
                    ),
                });
            }
            let (id, facts) = match kind {
                FileKind::FreddieOrigination => freddie::origination_facts(&row),
                _ => fannie::acquisition_facts(&row),
            };
            if id.is_empty() {
                return Err(InputError::Line {
                    path: path.clone(),
                    line: line_no,
                    message: "the loan identifier is blank".into(),
                });
            }
            if self.index.contains_key(id) {
                return Err(InputError::Line {
                    path: path.clone(),
                    line: line_no,
                    message: format!(
                        "loan {id} appears a second time in the {} file(s); was a file given twice?",
                        if kind == FileKind::FreddieOrigination { "origination" } else { "acquisition" }
                    ),
                });
            }
            let i = u32::try_from(self.facts.len())
                .map_err(|_| InputError::Other { path: path.clone(), message: "more than 4 billion loans".into() })?;
            self.index.insert(id.into(), i);
            self.facts.push(facts);
            self.seen.push(false);
        }
        Ok(())
    }
}

#[derive(Debug)]
pub(crate) struct Shared {
    /// Fingerprints of loans whose records have ended (all files of the run).
    pub(crate) finished: HashSet<u64>,
    pub(crate) orig: Option<OrigTable>,
}
