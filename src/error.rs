//! The library's one error type.
//!
//! Every variant carries what a user needs to find and fix the problem: the file, the
//! line or row, the column or field path, and what was expected. The library never
//! prints these; the CLI does, and maps every one of them to exit code 2.

use std::path::PathBuf;

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A pricing-data CSV file is malformed.
    #[error("{}:{line}: column `{column}`: {message}", file.display())]
    Catalog {
        /// The CSV file.
        file: PathBuf,
        /// 1-based line number (the header is line 1).
        line: u64,
        /// The column the problem is in.
        column: String,
        /// What is wrong and how to fix it.
        message: String,
    },

    /// The catalog has no data for the region asked for.
    #[error("no pricing for region {region}; available: {available}")]
    NoRegion {
        /// The region asked for.
        region: String,
        /// The regions the catalog has, comma-separated.
        available: String,
    },

    /// A price or table entry the model needs is missing from the catalog.
    #[error("{0}")]
    Lookup(String),

    /// A TOML input (scenario, usage or budget file) is invalid.
    #[error("{}:{line}:{column}: `{field}`: {message}", file.display())]
    Input {
        /// The TOML file.
        file: PathBuf,
        /// 1-based line of the offending value (or of its table when the value is absent).
        line: usize,
        /// 1-based column.
        column: usize,
        /// Dotted path of the field, e.g. `option[1].memory_mb`.
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },

    /// A workload trace is malformed.
    #[error("{}: {location}{message}", file.display())]
    Trace {
        /// The trace file.
        file: PathBuf,
        /// `row N: ` (1-based data row, header excluded), or empty when the file as a whole is wrong.
        location: String,
        /// What is wrong and how to fix it.
        message: String,
    },

    /// Fetching a price list failed.
    #[error("cannot fetch {url}: {message}")]
    Fetch {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },

    /// A request the library cannot serve (bad argument values from an API caller).
    #[error("{0}")]
    Invalid(String),

    /// Reading or writing a file failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, naming the file.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// An I/O error with the action and path that failed.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// A trace error at a 1-based data row.
    pub(crate) fn trace_row(
        file: &std::path::Path,
        row: usize,
        message: impl Into<String>,
    ) -> Self {
        Error::Trace {
            file: file.to_path_buf(),
            location: format!("row {row}: "),
            message: message.into(),
        }
    }

    /// A trace error about the file as a whole.
    pub(crate) fn trace(file: &std::path::Path, message: impl Into<String>) -> Self {
        Error::Trace {
            file: file.to_path_buf(),
            location: String::new(),
            message: message.into(),
        }
    }
}
