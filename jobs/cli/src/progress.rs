//! `--progress`: while a long command runs, a line on standard error with its jobs' progress
//! (stages and tasks done of all, rows read and rows/s, from the scheduler) and the elapsed
//! time. On a terminal the line is redrawn every second; otherwise a line is written every 10 s,
//! so logs stay short. The per-layer summary on standard output follows when the command ends.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reviewlake_cluster::progress::{JobProgress, jobs_since};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::args::ProgressArg;

/// A running progress display, made by [`Progress::around`]; `finish` stops it and
/// clears a live line.
pub(crate) struct Progress {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Progress {
    /// Runs `work` while showing the progress of the jobs `scheduler` runs meanwhile.
    pub(crate) async fn around<T>(
        mode: ProgressArg,
        scheduler: &str,
        label: &'static str,
        work: impl Future<Output = T>,
    ) -> T {
        let progress = Self::start(mode, scheduler, label);
        let outcome = work.await;
        progress.finish().await;
        outcome
    }

    /// Starts reporting the jobs `scheduler` runs from now on, each line prefixed by `label`.
    fn start(mode: ProgressArg, scheduler: &str, label: &'static str) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let (live, every) = match mode {
            ProgressArg::Never => return Self { stop: None, task: None },
            ProgressArg::Auto if terminal => (true, Duration::from_secs(1)),
            ProgressArg::Auto => (false, Duration::from_secs(10)),
            ProgressArg::Always => (terminal, Duration::from_secs(1)),
        };
        let (stop, mut stopped) = oneshot::channel();
        let scheduler = scheduler.to_string();
        let task = tokio::spawn(async move {
            let (since_ms, started) = (now_ms(), Instant::now());
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = tokio::time::sleep(every) => {}
                }
                // A scheduler that does not answer in time skips a line; the command itself reports errors.
                let Ok((running, ended)) = jobs_since(&scheduler, since_ms).await else { continue };
                let line = progress_line(label, started.elapsed(), &running, ended, now_ms());
                let mut stderr = std::io::stderr().lock();
                let _ = if live { write!(stderr, "\r\x1b[2K{line}") } else { writeln!(stderr, "{line}") };
                let _ = stderr.flush();
            }
            if live {
                let _ = write!(std::io::stderr(), "\r\x1b[2K");
            }
        });
        Self { stop: Some(stop), task: Some(task) }
    }

    /// Stops the display.
    async fn finish(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// `pipeline 12 s: 5 jobs done; job AbC12 (gold): stage 1/2, tasks 3/8, 120000 rows read (60000 rows/s)`.
fn progress_line(label: &str, elapsed: Duration, running: &[JobProgress], ended: usize, now_ms: u64) -> String {
    let mut line = format!("{label} {} s: {ended} jobs done", elapsed.as_secs());
    for job in running {
        let seconds = now_ms.saturating_sub(job.started_ms) as f64 / 1000.0;
        let rate = if seconds > 0.0 { job.rows_read as f64 / seconds } else { 0.0 };
        let name = if job.job_name.is_empty() { String::new() } else { format!(" ({})", job.job_name) };
        line.push_str(&format!(
            "; job {}{name}: stage {}/{}, tasks {}/{}, {} rows read ({:.0} rows/s)",
            job.job_id, job.stages_done, job.stages, job.tasks_done, job.tasks, job.rows_read, rate
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_each_running_job_with_its_counts_and_rate() {
        let job = JobProgress {
            job_id: "AbC12".into(),
            job_name: "gold".into(),
            stages_done: 1,
            stages: 2,
            tasks_done: 3,
            tasks: 8,
            rows_read: 120_000,
            started_ms: 10_000,
        };
        let line = progress_line("pipeline", Duration::from_secs(12), &[job], 5, 12_000);
        assert_eq!(
            line,
            "pipeline 12 s: 5 jobs done; job AbC12 (gold): stage 1/2, tasks 3/8, 120000 rows read (60000 rows/s)"
        );
        assert_eq!(progress_line("ingest", Duration::from_secs(3), &[], 0, 0), "ingest 3 s: 0 jobs done");
    }
}
