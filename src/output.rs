//! The one place that writes: the report to stdout or a file ([`write_output`]), atomic
//! single files and report folders, and the run's warnings and notes on stderr
//! ([`Messages`], printed once, grouped by kind).
//!
//! - [`write_atomic`]: a temporary file beside the target (named so that it is ours),
//!   written, fsynced, renamed over the target, then the directory fsynced. A killed
//!   run leaves the old file or the new one; its temporary file is removed by the next
//!   write into that directory.
//! - [`write_report_dir`]: a report folder is replaced as a whole, but only when it is
//!   absent, empty, or a previous report of this tool holding nothing but the files that
//!   report wrote (its marker, [`MARKER`], lists them). Anything else is refused unless
//!   `force`, and even then no file the tool did not write is ever deleted. The swap
//!   never leaves the folder missing: the new folder is built beside it and exchanged
//!   with it in one `renameat2(RENAME_EXCHANGE)` on Linux; elsewhere (or where the file
//!   system cannot exchange) the old folder is moved aside and the new one renamed in,
//!   and a run killed between the two is repaired by the next run. One lock on the
//!   parent directory serialises reports into it.

// This is the module the rest of the code writes through (clippy.toml).
#![allow(clippy::disallowed_methods)]

use redshift_cost_core::messages::{RunNote, Warning};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `out` atomically (a temporary file in the same directory, then a
/// rename), or to stdout when `out` is `None`. A closed stdout (`| head`) is not an
/// error: the reader has what it wanted.
pub fn write_output(out: Option<&Path>, bytes: &[u8]) -> Result<(), OutputError> {
    match out {
        None => {
            let mut stdout = io::stdout().lock();
            match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                r => r.map_err(|source| OutputError {
                    target: "stdout".into(),
                    source,
                }),
            }
        }
        Some(path) => write_atomic(path, bytes).map_err(|source| OutputError {
            target: path.display().to_string(),
            source,
        }),
    }
}

/// The report could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}{target}", if target == "stdout" { "to " } else { "" })]
pub struct OutputError {
    pub target: String,
    #[source]
    pub source: io::Error,
}

/// The warnings and notes of a run, each kept once, printed together at its end.
#[derive(Debug, Default)]
pub struct Messages {
    warnings: Vec<Warning>,
    notes: Vec<RunNote>,
    quiet: bool,
}

/// How the printer words warnings and notes (the report's sentences).
pub struct Words {
    pub warning: fn(&Warning) -> String,
    pub note: fn(&RunNote) -> String,
}

impl Messages {
    /// Records `w`, unless the run has said it already.
    pub fn warn(&mut self, w: Warning) {
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    /// Records a note (printed unless `--quiet`).
    pub fn note(&mut self, n: RunNote) {
        if !self.notes.contains(&n) {
            self.notes.push(n);
        }
    }

    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    pub fn notes(&self) -> &[RunNote] {
        &self.notes
    }

    /// The lines the run prints on stderr: warnings grouped by kind (scenario files,
    /// prices, observed usage, the run, budgets), each in the order it arose (each was
    /// kept once), then the notes unless `quiet`.
    pub fn lines(&self, quiet: bool, words: &Words) -> Vec<String> {
        let mut warnings: Vec<&Warning> = self.warnings.iter().collect();
        warnings.sort_by_key(|w| w.kind());
        let notes = if quiet { &[][..] } else { &self.notes[..] };
        warnings
            .into_iter()
            .map(|w| format!("warning: {}", (words.warning)(w)))
            .chain(notes.iter().map(|n| format!("note: {}", (words.note)(n))))
            .collect()
    }

    /// `--quiet`: nothing is printed but errors (no notes, warnings or progress bars).
    pub fn set_quiet(&mut self, quiet: bool) {
        self.quiet = quiet;
    }

    /// Whether progress bars and messages are wanted (not `--quiet`).
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// Prints [`Messages::lines`] on stderr, nothing under `--quiet`; with `color`,
    /// `warning:` in yellow.
    pub fn print(&self, color: bool, words: &Words) {
        if self.quiet {
            return;
        }
        let mut err = io::stderr().lock();
        for line in self.lines(false, words) {
            let line = if color { paint(&line) } else { line };
            let _ = writeln!(err, "{line}");
        }
    }
}

/// `text` with `error:` in red and `warning:` in yellow where a line starts with them.
pub fn paint(text: &str) -> String {
    text.lines()
        .map(|l| {
            if let Some(rest) = l.strip_prefix("error:") {
                format!("\x1b[1;31merror:\x1b[0m{rest}")
            } else if let Some(rest) = l.strip_prefix("warning:") {
                format!("\x1b[1;33mwarning:\x1b[0m{rest}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The marker file of a report folder: its first line says what wrote it, the rest
/// name the files the report wrote, one a line.
pub const MARKER: &str = ".redshift-cost-report";
const MARKER_HEADER: &str = "redshift-cost report folder; files written by the tool:";

/// What a temporary file or folder of ours is called: `.NAME.redshift-cost.PID.SUFFIX`.
fn ours(name: &str, suffix: &str) -> String {
    format!(".{name}.redshift-cost.{}.{suffix}", std::process::id())
}

/// The PID in a name made by [`ours`] for `name` and `suffix`, if it is one.
fn our_pid(file: &str, name: &str, suffix: &str) -> Option<u32> {
    let rest = file.strip_prefix(&format!(".{name}.redshift-cost."))?;
    rest.strip_suffix(&format!(".{suffix}"))?.parse().ok()
}

/// Whether the process `pid` still runs (a leftover of a running process is not stale).
/// A killed process that its parent has not reaped yet (a zombie) runs no more.
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        // /proc/PID/stat is `PID (name) STATE ...`; the name may hold spaces and ')'.
        fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            stat.rsplit_once(')')
                .is_none_or(|(_, rest)| !rest.trim_start().starts_with('Z'))
        })
    } else {
        // Without /proc there is no cheap check: keep it (it is small and hidden).
        true
    }
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn file_name(path: &Path) -> io::Result<String> {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))
}

/// fsync of a directory, so that a rename inside it is on disk (a no-op off Unix).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Removes temporary files of `name` left in `dir` by killed runs.
fn remove_stale_temp_files(dir: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        if let Some(pid) = our_pid(&file, name, "tmp") {
            // Our own PID's leftover is a dead process's whose PID was reused.
            if pid == std::process::id() || !alive(pid) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

/// Writes `bytes` to `path` atomically: a reader, or a killed run, never sees a
/// half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent_of(path);
    let name = file_name(path)?;
    remove_stale_temp_files(&dir, &name);
    let mut tmp = tempfile::Builder::new()
        .prefix(&ours(&name, ""))
        .suffix("tmp")
        .rand_bytes(0)
        .tempfile_in(&dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(&dir)
}

/// Why a report folder was not written.
#[derive(Debug)]
pub enum DirError {
    /// The folder holds things this tool did not write (exit 2).
    Refused(String),
    Io(io::Error),
}

impl From<io::Error> for DirError {
    fn from(e: io::Error) -> DirError {
        DirError::Io(e)
    }
}

/// What is at the target of a report.
enum Existing {
    Absent,
    /// A folder that is empty, or a report of ours holding only its own files.
    Replaceable,
    /// A report of ours into which other files were put, or a folder of someone else's:
    /// the foreign entries (sorted) and the files our marker lists.
    Foreign {
        foreign: Vec<String>,
        ours: Vec<String>,
    },
}

fn read_marker(dir: &Path) -> Option<Vec<String>> {
    let text = crate::fsx::read_text(&dir.join(MARKER), crate::fsx::MAX_JSON_BYTES).ok()?;
    let mut lines = text.lines();
    if lines.next()? != MARKER_HEADER {
        return None;
    }
    Some(
        lines
            .filter(|l| !l.is_empty() && !l.contains('/') && *l != "." && *l != "..")
            .map(str::to_string)
            .collect(),
    )
}

/// A report written before reports had a marker: a `summary.json` with a
/// `schema_version`, beside nothing but what a report writes (index pages and charts).
/// Returns the files it holds.
fn legacy_report(dir: &Path) -> Option<Vec<String>> {
    let summary =
        crate::fsx::read_regular(&dir.join("summary.json"), crate::fsx::MAX_JSON_BYTES).ok()?;
    let json: serde_json::Value = serde_json::from_slice(&summary).ok()?;
    json.get("schema_version")?.as_u64()?;
    let mut names = Vec::new();
    for e in fs::read_dir(dir).ok()?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let chart = Path::new(&name)
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("svg") || x.eq_ignore_ascii_case("png"));
        let report_like =
            chart || ["summary.json", "index.md", "index.html"].contains(&name.as_str());
        if !report_like || !e.file_type().is_ok_and(|t| t.is_file()) {
            return None;
        }
        names.push(name);
    }
    Some(names)
}

/// The files a report of ours at `dir` wrote: its marker's list, or an earlier
/// version's report files; `None` when it is not a report of ours.
fn report_files(dir: &Path) -> Option<Vec<String>> {
    read_marker(dir).or_else(|| legacy_report(dir))
}

fn inspect(dir: &Path) -> io::Result<Existing> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::Absent),
        Err(e) => return Err(e),
    };
    if !meta.is_dir() {
        return Ok(Existing::Foreign {
            foreign: vec![String::new()],
            ours: Vec::new(),
        });
    }
    let listed = report_files(dir);
    let mut foreign = Vec::new();
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        let is_ours = name == MARKER
            || listed.as_ref().is_some_and(|l| l.contains(&name))
                && e.file_type().is_ok_and(|t| t.is_file());
        if !is_ours {
            foreign.push(name);
        }
    }
    foreign.sort();
    Ok(if foreign.is_empty() {
        Existing::Replaceable
    } else {
        Existing::Foreign {
            foreign,
            ours: listed.unwrap_or_default(),
        }
    })
}

fn describe_foreign(dir: &Path, foreign: &[String], is_report: bool) -> String {
    if foreign == [String::new()] {
        return format!(
            "`{}` exists and is not a folder; the report would replace it",
            dir.display()
        );
    }
    let shown: Vec<String> = foreign.iter().take(5).map(|n| format!("`{n}`")).collect();
    let more = foreign.len().saturating_sub(shown.len());
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    let what = if is_report {
        "is a report folder into which other files were put"
    } else {
        "is not empty and is not a report of redshift-cost"
    };
    format!(
        "`{}` {what}: it holds {}{tail}\n  = help: choose a new or empty folder for --out, or pass --force to write the report's files into it (nothing else in it is touched)",
        dir.display(),
        shown.join(", ")
    )
}

/// A test hook: with `REDSHIFT_COST_TEST_PAUSE_AT=<step>` the run says so on stderr and
/// sleeps at that step, so that a test can kill it there.
fn pause_point(step: &str) {
    if std::env::var("REDSHIFT_COST_TEST_PAUSE_AT").is_ok_and(|s| s == step) {
        eprintln!("paused at {step}");
        std::thread::sleep(std::time::Duration::from_mins(1));
    }
}

/// An exclusive lock on the parent directory for the life of the value (Unix).
struct DirLock {
    _file: Option<fs::File>,
}

fn lock_dir(dir: &Path) -> io::Result<DirLock> {
    #[cfg(unix)]
    {
        let f = fs::File::open(dir)?;
        f.lock()?;
        Ok(DirLock { _file: Some(f) })
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(DirLock { _file: None })
    }
}

/// Leftovers of killed runs for `name` in `parent`: unfinished new folders are removed;
/// an old folder moved aside is put back when the report is missing, else removed.
fn repair(parent: &Path, name: &str, dir: &Path) -> io::Result<()> {
    for e in fs::read_dir(parent)?.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        if let Some(pid) = our_pid(&file, name, "new") {
            if !alive(pid) {
                fs::remove_dir_all(e.path())?;
            }
        } else if let Some(pid) = our_pid(&file, name, "old") {
            if alive(pid) {
                continue;
            }
            if fs::symlink_metadata(dir).is_err() {
                fs::rename(e.path(), dir)?;
            } else {
                remove_report(&e.path())?;
            }
        }
    }
    Ok(())
}

/// Removes a report folder of ours: only the files its marker lists, then the folder
/// if that left it empty (anything else put into it meanwhile is kept, with the folder).
fn remove_report(dir: &Path) -> io::Result<()> {
    for f in report_files(dir).unwrap_or_default() {
        match fs::remove_file(dir.join(&f)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    let _ = fs::remove_file(dir.join(MARKER));
    match fs::remove_dir(dir) {
        Ok(()) => Ok(()),
        // Not empty: somebody's files are in it; keep them.
        Err(_) => Ok(()),
    }
}

fn marker_text(files: &[(String, Vec<u8>)]) -> String {
    let mut text = format!("{MARKER_HEADER}\n");
    for (name, _) in files {
        text.push_str(name);
        text.push('\n');
    }
    text
}

/// Exchanges two paths atomically; `Ok(false)` where the system cannot.
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    if std::env::var_os("REDSHIFT_COST_TEST_NO_EXCHANGE").is_some() {
        return Ok(false);
    }
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let ca = std::ffi::CString::new(a.as_os_str().as_bytes())?;
        let cb = std::ffi::CString::new(b.as_os_str().as_bytes())?;
        // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them like
        // rename(2) does. The one unsafe block of the workspace: std has no exchange.
        #[allow(unsafe_code)]
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if r == 0 {
            return Ok(true);
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP) => Ok(false),
            _ => Err(e),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        Ok(false)
    }
}

/// Writes the report `files` as the folder `dir` (see the module docs).
pub fn write_report_dir(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    force: bool,
) -> Result<(), DirError> {
    let parent = parent_of(dir);
    fs::create_dir_all(&parent)?;
    let name = file_name(dir)?;
    let _lock = lock_dir(&parent)?;
    repair(&parent, &name, dir)?;

    match inspect(dir)? {
        Existing::Foreign { foreign, ours } => {
            if !force || foreign == [String::new()] {
                return Err(DirError::Refused(describe_foreign(
                    dir,
                    &foreign,
                    !ours.is_empty(),
                )));
            }
            write_in_place(dir, files, &ours)
        }
        Existing::Absent => {
            let tmp = build_beside(&parent, &name, files)?;
            pause_point("built");
            fs::rename(&tmp, dir)?;
            sync_dir(&parent)?;
            Ok(())
        }
        Existing::Replaceable => {
            let tmp = build_beside(&parent, &name, files)?;
            pause_point("built");
            if exchange(&tmp, dir)? {
                sync_dir(&parent)?;
                pause_point("exchanged");
                // `tmp` now holds the old report.
                remove_report(&tmp)?;
            } else {
                let old = parent.join(ours(&name, "old"));
                fs::rename(dir, &old)?;
                pause_point("moved-aside");
                fs::rename(&tmp, dir)?;
                sync_dir(&parent)?;
                remove_report(&old)?;
            }
            Ok(())
        }
    }
}

/// The report in a fresh folder beside its target, every file and the folder fsynced.
fn build_beside(parent: &Path, name: &str, files: &[(String, Vec<u8>)]) -> io::Result<PathBuf> {
    let tmp = parent.join(ours(name, "new"));
    let result = (|| {
        fs::create_dir(&tmp)?;
        for (file, bytes) in files {
            let mut f = fs::File::create(tmp.join(file))?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        let mut m = fs::File::create(tmp.join(MARKER))?;
        m.write_all(marker_text(files).as_bytes())?;
        m.sync_all()?;
        sync_dir(&tmp)
    })();
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    Ok(tmp)
}

/// `--force` into a folder holding other files: each report file is written atomically
/// in place; files an earlier report wrote that this one does not are removed; nothing
/// else is touched. The marker then lists this report's files.
fn write_in_place(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    previous: &[String],
) -> Result<(), DirError> {
    for (file, bytes) in files {
        write_atomic(&dir.join(file), bytes)?;
    }
    for old in previous {
        if !files.iter().any(|(f, _)| f == old) {
            let _ = fs::remove_file(dir.join(old));
        }
    }
    write_atomic(&dir.join(MARKER), marker_text(files).as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> Words {
        Words {
            warning: |w| format!("{w:?}"),
            note: |n| format!("{n:?}"),
        }
    }

    #[test]
    fn warnings_are_kept_once_and_printed_grouped_by_kind() {
        let mut m = Messages::default();
        let budget = Warning::OverBudget {
            scenario: "s".into(),
            budget_usd: 1.0,
            estimate_usd: 2.0,
            excess_usd: 1.0,
        };
        let located = |at: &str| Warning::Scenario {
            located: at.to_string(),
        };
        m.warn(budget.clone());
        m.warn(Warning::NoStalenessToPick);
        m.warn(located("a.toml:1:1: x"));
        m.warn(budget.clone());
        m.warn(located("b.toml:2:2: y"));
        m.note(RunNote::Observation {
            scenario: "s".into(),
            remark: "r".into(),
        });
        let lines = m.lines(false, &words());
        assert_eq!(
            lines,
            [
                format!("warning: {:?}", located("a.toml:1:1: x")),
                format!("warning: {:?}", located("b.toml:2:2: y")),
                format!("warning: {:?}", Warning::NoStalenessToPick),
                format!("warning: {budget:?}"),
                format!(
                    "note: {:?}",
                    RunNote::Observation {
                        scenario: "s".into(),
                        remark: "r".into(),
                    }
                ),
            ]
        );
        // Quiet: the warnings, no notes.
        assert_eq!(m.lines(true, &words()), lines[..4]);
    }

    fn files(n: &str) -> Vec<(String, Vec<u8>)> {
        vec![
            (
                "summary.json".into(),
                format!("{{\"n\":\"{n}\"}}").into_bytes(),
            ),
            ("index.md".into(), n.as_bytes().to_vec()),
        ]
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_new_folder_is_written_with_its_marker() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("r");
        write_report_dir(&dir, &files("a"), false).unwrap();
        assert_eq!(names(&dir), vec![MARKER, "index.md", "summary.json"]);
        assert_eq!(names(t.path()), vec!["r"]);
    }

    #[test]
    fn a_report_replaces_its_own_report_and_leaves_nothing_beside_it() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("r");
        write_report_dir(&dir, &files("a"), false).unwrap();
        write_report_dir(&dir, &files("b"), false).unwrap();
        assert_eq!(fs::read_to_string(dir.join("index.md")).unwrap(), "b");
        assert_eq!(names(t.path()), vec!["r"]);
    }

    #[test]
    fn a_folder_with_other_files_is_refused_and_force_keeps_them() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("r");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("notes.txt"), "mine").unwrap();
        match write_report_dir(&dir, &files("a"), false) {
            Err(DirError::Refused(msg)) => assert!(msg.contains("`notes.txt`"), "{msg}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(names(&dir), vec!["notes.txt"]);
        write_report_dir(&dir, &files("a"), true).unwrap();
        assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
        assert_eq!(fs::read_to_string(dir.join("index.md")).unwrap(), "a");
        // A later forced report still keeps it, and a report file it no longer writes
        // is removed.
        write_report_dir(&dir, &files("b")[..1], true).unwrap();
        assert_eq!(names(&dir), vec![MARKER, "notes.txt", "summary.json"]);
    }

    #[test]
    fn files_added_to_a_report_make_it_foreign() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("r");
        write_report_dir(&dir, &files("a"), false).unwrap();
        fs::write(dir.join("extra.txt"), "mine").unwrap();
        assert!(matches!(
            write_report_dir(&dir, &files("b"), false),
            Err(DirError::Refused(_))
        ));
        assert_eq!(fs::read_to_string(dir.join("index.md")).unwrap(), "a");
    }

    #[test]
    fn the_fallback_swap_and_its_repair() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("r");
        write_report_dir(&dir, &files("a"), false).unwrap();
        // A run killed between its two renames: the old report aside, no folder.
        let old = t.path().join(".r.redshift-cost.4000000000.old");
        fs::rename(&dir, &old).unwrap();
        let new = t.path().join(".r.redshift-cost.4000000001.new");
        fs::create_dir(&new).unwrap();
        fs::write(new.join("index.md"), "half").unwrap();
        write_report_dir(&dir, &files("b"), false).unwrap();
        assert_eq!(fs::read_to_string(dir.join("index.md")).unwrap(), "b");
        assert_eq!(names(t.path()), vec!["r"]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_killed_process_not_yet_reaped_is_not_alive() {
        let mut child = std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .unwrap();
        let pid = child.id();
        assert!(alive(pid));
        child.kill().unwrap();
        // Killed but not waited for: a zombie until we reap it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while alive(pid) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(!alive(pid), "a zombie counts as dead");
        child.wait().unwrap();
        assert!(!alive(pid));
        assert!(alive(std::process::id()));
    }

    #[test]
    fn atomic_writes_remove_stale_temporary_files_of_dead_runs() {
        let t = tempfile::tempdir().unwrap();
        let stale = t.path().join(".out.json.redshift-cost.4000000000.tmp");
        fs::write(&stale, "half").unwrap();
        write_atomic(&t.path().join("out.json"), b"{}").unwrap();
        assert_eq!(names(t.path()), vec!["out.json"]);
        assert_eq!(fs::read(t.path().join("out.json")).unwrap(), b"{}");
    }

    #[test]
    fn a_report_of_an_earlier_version_without_a_marker_is_replaced() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("r");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("summary.json"), r#"{"schema_version": 1}"#).unwrap();
        fs::write(dir.join("cost-breakdown.svg"), "<svg/>").unwrap();
        write_report_dir(&dir, &files("b"), false).unwrap();
        assert_eq!(names(&dir), vec![MARKER, "index.md", "summary.json"]);
        // Without a schema_version it is somebody else's summary.json.
        let other = t.path().join("o");
        fs::create_dir(&other).unwrap();
        fs::write(other.join("summary.json"), "{}").unwrap();
        assert!(matches!(
            write_report_dir(&other, &files("b"), false),
            Err(DirError::Refused(_))
        ));
    }

    #[test]
    fn a_file_where_the_folder_should_be_is_refused_even_with_force() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("r");
        fs::write(&dir, "a file").unwrap();
        assert!(matches!(
            write_report_dir(&dir, &files("a"), true),
            Err(DirError::Refused(_))
        ));
        assert_eq!(fs::read_to_string(&dir).unwrap(), "a file");
    }
}
