//! Parsing TOML inputs (scenarios, usage files) with errors that point at the text.
//!
//! Every error names the file, the 1-based line and column, and the dotted field path
//! (`option[1].memory_mb`). Syntax and type errors come from `toml` with their span;
//! errors found later, during validation, are located by walking the document with
//! `toml_edit`, which keeps the span of every key and table.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// A TOML document being read: its path (for messages) and text.
#[derive(Debug, Clone, Copy)]
pub struct TomlInput<'a> {
    /// The file, as the user named it.
    pub file: &'a Path,
    /// Its text.
    pub src: &'a str,
}

impl<'a> TomlInput<'a> {
    /// A document from `file` with text `src`.
    #[must_use]
    pub fn new(file: &'a Path, src: &'a str) -> TomlInput<'a> {
        TomlInput { file, src }
    }

    /// Deserializes the whole document.
    ///
    /// # Errors
    /// [`Error::Input`] at the offending line and field.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T> {
        let de = toml::Deserializer::parse(self.src).map_err(|e| self.toml_error("", &e))?;
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = display_path(e.path());
            self.toml_error(&path, e.inner())
        })
    }

    /// Deserializes `table`, found at `prefix` (e.g. `option[2]`) in this document.
    ///
    /// # Errors
    /// [`Error::Input`] at the offending line and field.
    pub fn parse_table<T: DeserializeOwned>(&self, prefix: &str, table: toml::Table) -> Result<T> {
        serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
            let inner = display_path(e.path());
            let path = if inner.is_empty() {
                prefix.to_string()
            } else {
                format!("{prefix}.{inner}")
            };
            self.error_at(&path, e.inner().message())
        })
    }

    /// An error about the field at `path`, located in the text.
    #[must_use]
    pub fn error_at(&self, path: &str, message: impl Into<String>) -> Error {
        let (line, column) = locate(self.src, path).unwrap_or((1, 1));
        self.error(line, column, path, message.into())
    }

    fn toml_error(&self, path: &str, e: &toml::de::Error) -> Error {
        // toml's message may repeat the location; keep its first line, the reason.
        let message = e.message().trim().to_string();
        match e.span() {
            Some(span) => {
                let (line, column) = line_column(self.src, span.start);
                self.error(line, column, path_or_dot(path), message)
            }
            None => self.error_at(path_or_dot(path), message),
        }
    }

    fn error(&self, line: usize, column: usize, path: &str, message: String) -> Error {
        Error::Input {
            file: PathBuf::from(self.file),
            line,
            column,
            field: path.to_string(),
            message,
        }
    }
}

fn path_or_dot(path: &str) -> &str {
    if path.is_empty() { "." } else { path }
}

fn display_path(path: &serde_path_to_error::Path) -> String {
    let text = path.to_string();
    if text == "." { String::new() } else { text }
}

/// 1-based line and column of byte `offset` in `src`.
fn line_column(src: &str, offset: usize) -> (usize, usize) {
    let before = &src[..offset.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |nl| before.len() - nl - 1)
        + 1;
    (line, column)
}

enum Segment<'p> {
    Key(&'p str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty() && *p != "?") {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Segment::Key(key));
        }
        while let Some((index, tail)) = rest.split_once(']') {
            if let Ok(i) = index.parse() {
                out.push(Segment::Index(i));
            }
            rest = tail.strip_prefix('[').unwrap_or(tail);
        }
    }
    out
}

/// The line and column of the deepest item of `path` present in `src`: the key itself
/// when it exists, otherwise the table that should hold it.
fn locate(src: &str, path: &str) -> Option<(usize, usize)> {
    let doc = toml_edit::Document::parse(src).ok()?;
    let mut item: &toml_edit::Item = doc.as_item();
    let mut best = None;
    for segment in segments(path) {
        let next = match segment {
            Segment::Key(key) => {
                let table = item.as_table_like()?;
                let (k, v) = table.get_key_value(key)?;
                if let Some(span) = k.span() {
                    best = Some(span.start);
                }
                v
            }
            Segment::Index(i) => match item {
                toml_edit::Item::ArrayOfTables(tables) => {
                    let table = tables.get(i)?;
                    if let Some(span) = table.span() {
                        best = Some(span.start);
                    }
                    // A table item for the next key; spans live on the keys.
                    let found = tables.iter().nth(i)?;
                    return locate_in_table(found, &path_tail(path, i), best)
                        .map(|o| line_column(src, o));
                }
                toml_edit::Item::Value(toml_edit::Value::Array(values)) => {
                    let value = values.get(i)?;
                    if let Some(span) = value.span() {
                        best = Some(span.start);
                    }
                    return best.map(|o| line_column(src, o));
                }
                _ => return best.map(|o| line_column(src, o)),
            },
        };
        item = next;
    }
    best.map(|o| line_column(src, o))
}

/// The part of `path` after its first `[i]`.
fn path_tail(path: &str, i: usize) -> String {
    let marker = format!("[{i}]");
    path.split_once(&marker)
        .map(|(_, t)| t.trim_start_matches('.').to_string())
        .unwrap_or_default()
}

fn locate_in_table(table: &toml_edit::Table, tail: &str, mut best: Option<usize>) -> Option<usize> {
    let mut current: &dyn toml_edit::TableLike = table;
    for segment in segments(tail) {
        let Segment::Key(key) = segment else { break };
        let Some((k, v)) = current.get_key_value(key) else {
            break;
        };
        if let Some(span) = k.span() {
            best = Some(span.start);
        }
        match v.as_table_like() {
            Some(t) => current = t,
            None => break,
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "name = \"x\"\n\n[workload]\nrate = 3\n\n[[option]]\nname = \"a\"\n\n[[option]]\nname = \"b\"\nmemory_mb = 64\n";

    #[test]
    fn locates_keys_tables_and_array_entries() {
        assert_eq!(locate(DOC, "workload.rate"), Some((4, 1)));
        assert_eq!(locate(DOC, "option[1].memory_mb"), Some((11, 1)));
        // an absent key points at its table
        let (line, _) = locate(DOC, "option[1].absent").unwrap();
        assert!(line == 9 || line == 10, "line {line}");
        assert_eq!(locate(DOC, "name"), Some((1, 1)));
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Small {
        name: String,
        count: u32,
    }

    #[test]
    fn type_errors_carry_line_and_field() {
        let input = TomlInput::new(Path::new("s.toml"), "name = \"x\"\ncount = \"two\"\n");
        let err = input.parse::<Small>().unwrap_err().to_string();
        assert!(
            err.starts_with("s.toml:2:9: `count`: invalid type: string \"two\", expected u32"),
            "{err}"
        );
    }

    #[test]
    fn unknown_fields_are_named() {
        let input = TomlInput::new(Path::new("s.toml"), "name = \"x\"\ncount = 2\ncolour = 1\n");
        let err = input.parse::<Small>().unwrap_err().to_string();
        assert!(err.starts_with("s.toml:3:1:"), "{err}");
        assert!(err.contains("unknown field `colour`"), "{err}");
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let input = TomlInput::new(Path::new("s.toml"), "name = \"x\"\ncount = = 2\n");
        let err = input.parse::<Small>().unwrap_err().to_string();
        assert!(err.starts_with("s.toml:2:"), "{err}");
    }
}
