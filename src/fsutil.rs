//! Replacing a directory atomically: build the new one beside it, then swap.

use std::path::Path;

use crate::error::{Error, Result};

/// Puts `staging` in the place of `target` in one step where the OS can (an atomic
/// exchange on Linux), leaving the old directory at `staging` for removal.
pub(crate) fn swap_in(staging: &Path, target: &Path) -> Result<()> {
    let fail = |e: std::io::Error| {
        Error::io(
            format!("cannot move the new files into `{}`", target.display()),
            e,
        )
    };
    if !target.exists() {
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        return std::fs::rename(staging, target).map_err(fail);
    }
    #[cfg(target_os = "linux")]
    {
        rustix::fs::renameat_with(
            rustix::fs::CWD,
            staging,
            rustix::fs::CWD,
            target,
            rustix::fs::RenameFlags::EXCHANGE,
        )
        .map_err(|e| fail(e.into()))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let aside = staging.with_extension("old");
        std::fs::rename(target, &aside).map_err(fail)?;
        if let Err(e) = std::fs::rename(staging, target) {
            let _ = std::fs::rename(&aside, target);
            return Err(fail(e));
        }
        std::fs::rename(&aside, staging).map_err(fail)
    }
}
