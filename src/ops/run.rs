//! The run stage over many targets: every job concurrently within the
//! connection limits, one printer (the calling task) for progress, results in
//! input order; a panicked task is a `failed` result, and a second Ctrl-C
//! stops the run: what had sent its change (a COMMIT, an `ALTER DATABASE`)
//! is reported `unknown`, the rest `skipped`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use super::exec::tracking_started;
use super::{Job, Operation, Outcome, Report};
use crate::odoo::tracking_sent;
use crate::ops::Ctx;
use crate::output::{esc, one_line, stderr_width};
use crate::targets::Target;

/// Runs (or plans) every job concurrently within the connection limits; one
/// printer (this task) draws progress and collects results in input order.
/// A panicked task is a `failed` result, never a dropped one. At the second
/// Ctrl-C the run stops: a target whose change may have reached the server
/// is reported `unknown`, one that was waiting (for a connection slot, the
/// tenant lock) or had sent no COMMIT yet `skipped` (its connection goes
/// with the process, and PostgreSQL rolls its transaction back).
pub(crate) async fn run_all<O: Operation>(
    ctx: &Ctx,
    jobs: Vec<Job>,
    run: Arc<O>,
    progress: bool,
) -> Vec<Report> {
    let t0 = std::time::Instant::now();
    let n = jobs.len();
    let total = jobs.iter().filter(|j| j.early.is_none()).count() as u64;
    let bar = progress.then(|| progress_bar(ctx, total)).flatten();
    let mut board = Board {
        ctx,
        t0,
        total,
        progress,
        bar,
        slots: (0..n).map(|_| None).collect(),
        specs: Vec::with_capacity(n),
        sent: (0..n).map(|_| Arc::new(AtomicBool::new(false))).collect(),
        started: (0..n).map(|_| Arc::new(AtomicU64::new(0))).collect(),
        done_n: 0,
        failed_n: 0,
        stopping: None,
    };
    let mut set = JoinSet::new();
    let ids = board.spawn(jobs, &run, &mut set);
    let second = async {
        match run.guard() {
            Some(g) => g.second().await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(second);
    let first = async {
        match run.guard() {
            Some(g) => g.first().await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(first);
    if let (Some(g), Some(b)) = (run.guard(), &board.bar) {
        g.set_bar(Some(b.clone()));
    }
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        let joined = tokio::select! {
            j = set.join_next_with_id() => match j { Some(j) => j, None => break },
            _ = &mut second, if !run.journaled() => break,
            _ = &mut first, if board.stopping.is_none() && !run.dry_run() => {
                board.first_interrupt();
                continue;
            }
            _ = tick.tick(), if board.stopping.is_some() && board.bar.is_some() => {
                board.redraw();
                continue;
            }
        };
        let (i, r) = match joined {
            Ok((_, (i, r))) => (i, r),
            Err(e) => {
                let i = ids.get(&e.id()).copied().unwrap_or(0);
                let (t, spec, _) = &board.specs[i];
                let r = Report::new(t.as_ref(), spec, run.op())
                    .fail(Outcome::Failed, format!("{spec}: internal error: {e}"));
                (i, Some(r))
            }
        };
        board.came(i, r, &*run);
    }
    if let Some(g) = run.guard() {
        g.set_bar(None);
    }
    if let Some(b) = board.bar.take() {
        b.finish_and_clear();
    }
    // Whatever did not finish (second Ctrl-C): its COMMIT may have been sent.
    set.abort_all();
    board.finish(&*run)
}

/// A run's state while its results come in: what each job is, the results
/// so far in input order, the progress bar and its counts.
struct Board<'a> {
    ctx: &'a Ctx,
    t0: Instant,
    total: u64,
    progress: bool,
    bar: Option<indicatif::ProgressBar>,
    slots: Vec<Option<Option<Report>>>,
    specs: Vec<(Option<Target>, String, Option<usize>)>,
    /// Per job: whether its change was sent, and when it started (see
    /// `tracking_sent`, `tracking_started`).
    sent: Vec<Arc<AtomicBool>>,
    started: Vec<Arc<AtomicU64>>,
    done_n: u64,
    failed_n: u64,
    /// After the first Ctrl-C: when it came, and a tick to redraw what is
    /// still in flight and its deadline (an ETA means nothing then).
    stopping: Option<Instant>,
}

impl Board<'_> {
    /// Spawns every job without an early report (which is its result
    /// already); the job of each task.
    fn spawn<O: Operation>(
        &mut self,
        jobs: Vec<Job>,
        run: &Arc<O>,
        set: &mut JoinSet<(usize, Option<Report>)>,
    ) -> std::collections::HashMap<tokio::task::Id, usize> {
        let one_at_a_time = run.at_once().map(|n| Arc::new(Turns::new(n)));
        // Per node: its slots and the next turn.
        let mut nodes: std::collections::HashMap<String, (Arc<Turns>, usize)> =
            std::collections::HashMap::new();
        let mut ids = std::collections::HashMap::new();
        let mut turn = 0;
        for (i, job) in jobs.into_iter().enumerate() {
            self.specs
                .push((job.target.clone(), job.spec.clone(), job.line));
            if job.early.is_some() {
                self.slots[i] = Some(job.early);
                continue;
            }
            let run = run.clone();
            let flag = self.sent[i].clone();
            let begun = self.started[i].clone();
            let one = one_at_a_time.clone();
            let my_turn = turn;
            turn += 1;
            let node = job.target.as_ref().and_then(|t| {
                let n = run.per_node(&t.link)?;
                let (turns, next) = nodes
                    .entry(t.link.name().to_string())
                    .or_insert_with(|| (Arc::new(Turns::new(n)), 0));
                *next += 1;
                Some((turns.clone(), *next - 1))
            });
            let h = set.spawn(async move {
                // In input order for the operations that run a few targets
                // at a time (`bulk upgrade --canary` relies on it): the
                // run's slot, then the node's.
                let _turn = match &one {
                    Some(t) => t.take(my_turn).await,
                    None => None,
                };
                let _node_turn = match &node {
                    Some((t, k)) => t.take(*k).await,
                    None => None,
                };
                let r = tracking_started(begun, tracking_sent(flag, run.run_one(job))).await;
                (i, r)
            });
            ids.insert(h.id(), i);
        }
        ids
    }

    /// The first Ctrl-C: what is still in flight, on the bar or stderr.
    fn first_interrupt(&mut self) {
        let at = Instant::now();
        self.stopping = Some(at);
        let (specs, slots, started) = (&self.specs, &self.slots, &self.started);
        match &self.bar {
            Some(b) => {
                b.set_style(stopping_style());
                let width = stderr_width().saturating_sub(1);
                b.set_message(in_flight_text(specs, slots, started, at, width));
            }
            None if !self.ctx.printer.quiet => {
                let text = in_flight_text(specs, slots, started, at, usize::MAX);
                eprintln!("tenantctl: {text}");
            }
            None => {}
        }
    }

    /// A tick after the first Ctrl-C: what is still in flight, redrawn.
    fn redraw(&self) {
        if let (Some(b), Some(at)) = (&self.bar, self.stopping) {
            let width = stderr_width().saturating_sub(1);
            b.set_message(in_flight_text(
                &self.specs,
                &self.slots,
                &self.started,
                at,
                width,
            ));
        }
    }

    /// A result came (none: the job's target is left out): counted, shown
    /// on the bar or stderr, kept in its slot.
    fn came<O: Operation>(&mut self, i: usize, r: Option<Report>, run: &O) {
        self.done_n += 1;
        let done_n = self.done_n;
        let mut r = r;
        if let Some(r) = &mut r {
            r.elapsed = Some(self.t0.elapsed());
        }
        if let Some(r) = &r {
            if !r.outcome.is_ok() {
                self.failed_n += 1;
            }
            let failed_n = self.failed_n;
            // The resolved NODE/TENANT (the job's target), not the text of
            // the input line.
            let who = self.specs[i]
                .0
                .as_ref()
                .map(|t| t.display())
                .or_else(|| r.node.as_ref().map(|n| format!("{n}/{}", r.tenant)))
                .unwrap_or_else(|| r.tenant.clone());
            let line = progress_line(&who, r);
            match &self.bar {
                Some(_) if self.stopping.is_some() => {}
                Some(b) => {
                    b.set_position(done_n);
                    bar_message(
                        b,
                        &format!(
                            "ETA {}; {failed_n} not ok; {}: {}",
                            indicatif::HumanDuration(b.eta()),
                            esc(&who),
                            r.outcome.as_str()
                        ),
                    );
                }
                None if self.progress && !self.ctx.printer.quiet && !run.dry_run() => {
                    // No terminal (cron mail, a log): the whole error.
                    eprintln!("tenantctl: [{done_n}/{}] {}", self.total, esc(&line))
                }
                None => {}
            }
        }
        self.slots[i] = Some(r);
    }

    /// The reports in input order; a job not finished (second Ctrl-C) is
    /// reported in flight.
    fn finish<O: Operation>(self, run: &O) -> Vec<Report> {
        let (specs, sent, t0) = (self.specs, self.sent, self.t0);
        self.slots
            .into_iter()
            .enumerate()
            .filter_map(|(i, slot)| {
                let mut r = match slot {
                    Some(r) => r,
                    None => {
                        let (t, spec, line) = &specs[i];
                        let began = sent[i].load(Ordering::SeqCst);
                        let mut r = in_flight(run, t.as_ref(), spec, *line, began);
                        r.elapsed = Some(t0.elapsed());
                        Some(r)
                    }
                }?;
                r.job = Some(i);
                Some(r)
            })
            .collect()
    }
}

/// A single command: a run of one target through the same runner; the
/// exit code of its one report (`secret_on_stdout`: a generated password
/// was printed).
pub(crate) async fn run_single<O: Operation>(
    ctx: &Ctx,
    job: Job,
    run: Arc<O>,
    secret_on_stdout: bool,
) -> u8 {
    let mut rs = run_all(ctx, vec![job], run.clone(), false).await;
    let r = rs.pop().expect("one job, one report");
    let interrupted = run.guard().is_some_and(|g| g.interrupted());
    super::report::single(ctx, &r, interrupted, secret_on_stdout)
}

/// A target not finished at the second Ctrl-C: `unknown` when its change
/// had been sent (`began`: its COMMIT may have reached the server), else
/// `skipped` (nothing of it was committed). Audited here (the task that
/// would have written its line is gone); the audit error, if any, ends up
/// in the report.
fn in_flight<O: Operation>(
    run: &O,
    t: Option<&Target>,
    spec: &str,
    line: Option<usize>,
    began: bool,
) -> Report {
    let r = Report::new(t, spec, run.op());
    let mut r = if began {
        r.fail(
            Outcome::Unknown,
            format!("{spec}: stopped by a second Ctrl-C after its change was sent; it may or may not have been committed"),
        )
    } else {
        r.ok(
            Outcome::Skipped,
            format!("{spec}: not done (a second Ctrl-C stopped the run before its change was sent; nothing changed)"),
        )
    };
    r.line = line;
    if t.is_some() {
        r = run.audit(r);
    }
    r
}

/// `NODE/TENANT: outcome (error)`, the plain progress line of a result.
pub(crate) fn progress_line(who: &str, r: &Report) -> String {
    format!(
        "{who}: {}{}",
        r.outcome.as_str(),
        r.error
            .as_deref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default()
    )
}

/// What the first Ctrl-C waits for, in at most `width` columns: when the
/// statement each target in flight (started, not finished) is in times out
/// at the latest (each is bounded by its node's `statement_timeout` and a
/// margin), then the targets, whole names while they fit, then how many
/// more.
fn in_flight_text(
    specs: &[(Option<Target>, String, Option<usize>)],
    slots: &[Option<Option<Report>>],
    started: &[Arc<AtomicU64>],
    at: Instant,
    width: usize,
) -> String {
    let mut names = Vec::new();
    let mut longest = 0;
    for (i, (t, spec, _)) in specs.iter().enumerate() {
        let ms = started[i].load(Ordering::SeqCst);
        if slots[i].is_some() || ms == 0 {
            continue;
        }
        longest = longest.max(ms);
        let name = t
            .as_ref()
            .map(|t| t.display())
            .unwrap_or_else(|| spec.clone());
        names.push(esc(&name).into_owned());
    }
    if names.is_empty() {
        return one_line("stopping: nothing in flight; the rest is skipped", width);
    }
    let deadline = at + Duration::from_millis(longest);
    let now = Instant::now();
    let when = if deadline > now {
        format!("deadline in {}s", (deadline - now).as_secs() + 1)
    } else {
        format!(
            "deadline passed {}s ago, rolling back",
            (now - deadline).as_secs()
        )
    };
    let mut text = format!("stopping, {when}: ");
    for (k, name) in names.iter().enumerate() {
        let more = names.len() - k - 1;
        let tail = if more > 0 {
            format!(", +{more} more")
        } else {
            String::new()
        };
        let sep = if k > 0 { ", " } else { "" };
        let fits = text.chars().count() + sep.len() + name.chars().count() + tail.len() <= width;
        if k > 0 && !fits {
            text.push_str(&format!(" +{} more", more + 1));
            break;
        }
        text.push_str(sep);
        text.push_str(name);
    }
    one_line(&text, width)
}

/// The bar's width in columns.
const BAR_WIDTH: usize = 20;

/// Sets the text after the bar and `pos/len`, cut with `…` so that the
/// line fits the terminal with a column to spare (a line as wide as the
/// terminal wraps on some terminals, and the bar's redraw then cuts it).
pub(crate) fn bar_message(b: &indicatif::ProgressBar, msg: &str) {
    let counts = format!("{}/{}", b.position(), b.length().unwrap_or(0)).len();
    let room = stderr_width().saturating_sub(BAR_WIDTH + 1 + counts + 1 + 1);
    b.set_message(one_line(msg, room));
}

/// The bar after the first Ctrl-C: only what is in flight.
fn stopping_style() -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template("{msg}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
}

/// A bar on a terminal (stderr) for two results or more, unless `-q`; None
/// otherwise (then plain lines, see [`run_all`]).
pub(crate) fn progress_bar(ctx: &Ctx, total: u64) -> Option<indicatif::ProgressBar> {
    if ctx.printer.quiet || !std::io::stderr().is_terminal() || total < 2 {
        return None;
    }
    let b = indicatif::ProgressBar::new(total);
    b.set_style(
        indicatif::ProgressStyle::with_template("{bar:20} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(b)
}

/// Slots taken in input order: the tasks are spawned in order but a
/// multi-threaded runtime may poll a later one first, so a fair semaphore
/// alone does not keep the order; each task waits for its turn to ask.
struct Turns {
    next: std::sync::atomic::AtomicUsize,
    asked: tokio::sync::Notify,
    slots: Arc<tokio::sync::Semaphore>,
}

impl Turns {
    fn new(n: usize) -> Turns {
        Turns {
            next: std::sync::atomic::AtomicUsize::new(0),
            asked: tokio::sync::Notify::new(),
            slots: Arc::new(tokio::sync::Semaphore::new(n.max(1))),
        }
    }

    /// The slot of the `turn`-th task, once the ones before it have theirs.
    async fn take(&self, turn: usize) -> Option<tokio::sync::OwnedSemaphorePermit> {
        use std::sync::atomic::Ordering::SeqCst;
        loop {
            let asked = self.asked.notified();
            tokio::pin!(asked);
            asked.as_mut().enable();
            if self.next.load(SeqCst) == turn {
                break;
            }
            asked.await;
        }
        let slot = self.slots.clone().acquire_owned().await.ok();
        self.next.fetch_add(1, SeqCst);
        self.asked.notify_waiters();
        slot
    }
}

#[cfg(test)]
mod turn_tests {
    use super::Turns;
    use std::sync::{Arc, Mutex};

    #[test]
    fn slots_go_in_input_order_whichever_task_runs_first() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .build()
            .unwrap();
        rt.block_on(async {
            let turns = Arc::new(Turns::new(1));
            let order = Arc::new(Mutex::new(Vec::new()));
            let mut set = tokio::task::JoinSet::new();
            // Spawned last first: the turn, not the polling, decides.
            for i in (0..64).rev() {
                let (turns, order) = (turns.clone(), order.clone());
                set.spawn(async move {
                    let _slot = turns.take(i).await;
                    order.lock().unwrap().push(i);
                    tokio::task::yield_now().await;
                });
            }
            while set.join_next().await.is_some() {}
            let got = order.lock().unwrap().clone();
            assert_eq!(got, (0..64).collect::<Vec<_>>());
        });
    }
}
