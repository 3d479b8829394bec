//! One file per subcommand.

pub(crate) mod compare;
pub(crate) mod gate;
pub(crate) mod merge;
pub(crate) mod pricing;
pub(crate) mod quote;
pub(crate) mod report;
pub(crate) mod simulate;
pub(crate) mod sweep;
pub(crate) mod trace;
