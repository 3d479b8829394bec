//! `costcast quote USAGE.toml`

use std::path::PathBuf;

use clap::Args;

use crate::cli::{ExitStatus, OutputFormat, Pricing, load_catalog, output};

#[derive(Debug, Args)]
pub(crate) struct QuoteArgs {
    /// The usage file (TOML with [[resource]] tables).
    usage: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: OutputFormat,
    /// Write to this file instead of stdout (`-` for stdout).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

pub(crate) fn run(source: &Pricing, args: &QuoteArgs) -> anyhow::Result<ExitStatus> {
    let (file, text) = costcast::quote::read_usage(&args.usage)?;
    let region = costcast::quote::usage_region(&file, &text)?;
    let catalog = load_catalog(source, &region)?;
    let quote = costcast::quote::quote(&file, &text, &catalog)?;
    output::emit(&quote.render(args.format.into()), args.output.as_deref())?;
    Ok(ExitStatus::Success)
}
