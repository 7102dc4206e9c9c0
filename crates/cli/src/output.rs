//! Where a run's bytes go: the trace serialized line by line and hashed, an optional progress
//! bar, and `--out DIR` written atomically (temporary files renamed into place at the end,
//! removed on any error: nothing half-written is left behind).

use std::fs::{self, File};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use leasehold_sim::{Header, Sink, StepRef, TraceHash};

/// Serializes every step as one JSON line, hashes the bytes, writes them to a file when asked
/// and draws the progress bar. The first I/O error is kept and reported at the end.
pub struct TraceSink {
    line: Vec<u8>,
    hash: TraceHash,
    file: Option<BufWriter<File>>,
    error: Option<io::Error>,
    progress: Option<Progress>,
    /// Steps seen.
    pub steps: u64,
}

impl TraceSink {
    /// A sink writing `header` first, to `file` when given.
    pub fn new(header: &Header, file: Option<File>, progress: Option<Progress>) -> TraceSink {
        let mut sink = TraceSink {
            line: Vec::with_capacity(512),
            hash: TraceHash::default(),
            file: file.map(|f| BufWriter::with_capacity(1 << 16, f)),
            error: None,
            progress,
            steps: 0,
        };
        let header = serde_json::to_vec(header).expect("a header serializes");
        sink.emit(&header);
        sink
    }

    fn emit(&mut self, bytes: &[u8]) {
        self.hash.update(bytes);
        self.hash.update(b"\n");
        if let Some(file) = &mut self.file {
            if self.error.is_none() {
                if let Err(error) = file.write_all(bytes).and_then(|()| file.write_all(b"\n")) {
                    self.error = Some(error);
                }
            }
        }
    }

    /// The hash of every byte so far, and the first write error, if any (after flushing).
    pub fn finish(mut self) -> (TraceHash, io::Result<()>) {
        if let Some(progress) = &mut self.progress {
            progress.clear();
        }
        let flushed = match (self.error.take(), self.file.take()) {
            (Some(error), _) => Err(error),
            (None, Some(mut file)) => file.flush().and_then(|()| file.get_ref().sync_all()),
            (None, None) => Ok(()),
        };
        (self.hash, flushed)
    }
}

impl Sink for TraceSink {
    fn step(&mut self, step: &StepRef<'_>) {
        self.line.clear();
        serde_json::to_writer(&mut self.line, step).expect("a step serializes");
        let line = std::mem::take(&mut self.line);
        self.emit(&line);
        self.line = line;
        self.steps += 1;
        if self.steps % (1 << 14) == 0 {
            if let Some(progress) = &mut self.progress {
                progress.show(step.now.0);
            }
        }
    }
}

/// A progress bar on stderr, shown only when stderr is a terminal and the run has lasted long
/// enough to be worth one.
pub struct Progress {
    start: u64,
    horizon: u64,
    began: Instant,
    drawn: bool,
}

impl Progress {
    /// A bar for a run from `start` over `horizon` ms, or `None` when stderr is not a terminal.
    pub fn for_terminal(start: u64, horizon: u64) -> Option<Progress> {
        io::stderr().is_terminal().then(|| Progress { start, horizon, began: Instant::now(), drawn: false })
    }

    fn show(&mut self, now: u64) {
        if self.began.elapsed() < Duration::from_millis(300) {
            return;
        }
        let done = (now.saturating_sub(self.start) * 40 / self.horizon.max(1)).min(40) as usize;
        let percent = now.saturating_sub(self.start) * 100 / self.horizon.max(1);
        eprint!("\r[{}{}] {percent:>3}% of simulated time", "#".repeat(done), ".".repeat(40 - done));
        self.drawn = true;
    }

    fn clear(&mut self) {
        if self.drawn {
            eprint!("\r{}\r", " ".repeat(70));
        }
    }
}

/// `--out DIR`: files are written under temporary names and renamed into place by
/// [`OutDir::commit`]; dropping an uncommitted `OutDir` removes them.
pub struct OutDir {
    dir: PathBuf,
    pending: Vec<(PathBuf, PathBuf)>,
}

impl OutDir {
    /// Creates `dir` if needed.
    pub fn create(dir: &Path) -> io::Result<OutDir> {
        fs::create_dir_all(dir)?;
        Ok(OutDir { dir: dir.to_path_buf(), pending: Vec::new() })
    }

    /// A new temporary file that becomes `name` on commit.
    pub fn file(&mut self, name: &str) -> io::Result<File> {
        let temp = self.dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let file = File::create(&temp)?;
        self.pending.push((temp, self.dir.join(name)));
        Ok(file)
    }

    /// Writes `bytes` to a new temporary file that becomes `name` on commit.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let mut file = self.file(name)?;
        file.write_all(bytes)?;
        file.sync_all()
    }

    /// Renames every file into place. On error, what was not yet renamed is removed.
    pub fn commit(mut self) -> io::Result<Vec<PathBuf>> {
        let mut done = Vec::new();
        while !self.pending.is_empty() {
            let (temp, target) = self.pending.remove(0);
            if let Err(error) = fs::rename(&temp, &target) {
                let _ = fs::remove_file(&temp);
                return Err(io::Error::new(error.kind(), format!("{}: {error}", target.display())));
            }
            done.push(target);
        }
        Ok(done)
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        for (temp, _) in self.pending.drain(..) {
            let _ = fs::remove_file(temp);
        }
    }
}
