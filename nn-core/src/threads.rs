//! The threads the matrix products run on.
//!
//! A job is cut into chunks, numbered `0..count`. The thread that hands out the job and the
//! pool's workers take chunks from one shared atomic counter until none is left, so no chunk
//! ever waits for one particular thread: on a busy machine, where any thread can be
//! descheduled for milliseconds, whichever thread is running does the work, and the caller
//! alone finishes a job that no worker came for. Callers cut their work so that a chunk's
//! result does not depend on which thread computes it, so any number of threads gives the same
//! bits (`docs/appendix-a-making-it-fast.md`).
//!
//! Waiting is bounded. A product of the reference recipe takes about 45 µs on two cores, and
//! waking a sleeping thread costs tens of microseconds on a virtual machine, so an idle worker
//! first spins on the counter for a few microseconds, then yields its core to whoever needs it
//! (checking for a job between yields), then parks. The caller, once every chunk is taken,
//! spins briefly for the chunks still running on workers and then parks too: a worker that was
//! descheduled in the middle of a chunk gets the caller's core. And when a job took longer
//! than the caller alone would have, the caller works alone for a while (`Backoff`).
//!
//! ```
//! use nn_core::ThreadPool;
//! let pool = ThreadPool::new(2);
//! pool.install(|| {
//!     // Matrix products called here use both threads.
//! });
//! ```

use std::any::Any;
use std::cell::RefCell;
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::{self, JoinHandle, Thread};
use std::time::{Duration, Instant};

/// How long an idle worker spins on the counter before it starts yielding its core. Short: on
/// a busy machine every microsecond spent spinning is taken from a thread with work to do
/// (measured: with 50 µs, two threads trained at half the speed of one under load).
const SPIN_FOR_A_JOB: Duration = Duration::from_micros(5);
/// How long an idle worker keeps yielding before it parks. On an idle core `yield_now` returns
/// at once, so the worker still sees a job within a microsecond; on a busy one it lets the
/// other threads run.
const YIELD_FOR_A_JOB: Duration = Duration::from_micros(200);
/// How long the caller spins for chunks still running on workers before it parks.
const SPIN_FOR_WORKERS: Duration = Duration::from_micros(20);
/// A job that took this much longer than the caller would have taken alone (at its own pace)
/// waited for a worker that was descheduled in the middle of a chunk: the machine is busy.
const STALL: Duration = Duration::from_micros(100);
/// How long the caller then runs jobs alone; doubled at each stall in a row, up to
/// [`LONGEST_SOLO`]. On a busy machine the pool so tries its workers about once a second.
const FIRST_SOLO: Duration = Duration::from_millis(10);
const LONGEST_SOLO: Duration = Duration::from_secs(1);

/// A fixed set of threads for the products: the thread that calls [`ThreadPool::install`] plus
/// `threads - 1` workers. More threads than cores are allowed (the extra ones mostly find no
/// chunk left) but bring nothing: callers such as `nn-train` refuse them.
pub struct ThreadPool {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

/// The job being handed out: `work(i)` for every chunk `i < count`. It lives on the stack of
/// the thread that dispatched it, which returns only after every chunk is done.
struct Job<'a> {
    work: &'a (dyn Fn(usize) + Sync),
    /// The dispatching thread, unparked by whoever finishes the last chunk.
    caller: Thread,
}

struct Shared {
    threads: usize,
    /// `generation << 32 | next chunk`: a new job bumps the generation and resets the chunk
    /// number; a thread claims chunk `i` by moving `(generation, i)` to `(generation, i + 1)`.
    /// Claiming with the generation in the same word means that a thread that saw an old job
    /// can never claim a chunk of a newer one.
    claim: AtomicU64,
    /// The current [`Job`]. Valid while a chunk of it is claimed and not done: the dispatcher
    /// waits for all of them before it returns.
    job: AtomicPtr<Job<'static>>,
    /// The number of chunks of the current job.
    count: AtomicUsize,
    /// Chunks of the current job that are finished (run, or skipped after a panic).
    done: AtomicUsize,
    /// Set when a chunk of the current job panicked: the chunks not started yet are skipped.
    failed: AtomicBool,
    /// The first panic of the current job, re-raised by the dispatching thread, which also
    /// empties it: nothing is left over for a later job.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    /// Taken by the thread that dispatches a job, for the job's duration. A second thread (or
    /// a nested call) that finds it taken computes its job alone, which gives the same bits.
    busy: AtomicBool,
    /// Whether jobs run on the caller alone for now, because workers were late.
    backoff: Mutex<Backoff>,
    worker_threads: OnceLock<Vec<Thread>>,
    shutdown: AtomicBool,
}

thread_local! {
    /// The pool the products use on this thread: the innermost `install`.
    static CURRENT: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
}

impl ThreadPool {
    /// A pool of `threads` threads in all (at least 1), counting the caller.
    pub fn new(threads: usize) -> ThreadPool {
        let threads = threads.max(1);
        let shared = Arc::new(Shared {
            threads,
            claim: AtomicU64::new(0),
            job: AtomicPtr::new(std::ptr::null_mut()),
            count: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            failed: AtomicBool::new(false),
            panic: Mutex::new(None),
            busy: AtomicBool::new(false),
            backoff: Mutex::new(Backoff {
                solo_until: None,
                next_solo: FIRST_SOLO,
            }),
            worker_threads: OnceLock::new(),
            shutdown: AtomicBool::new(false),
        });
        let workers: Vec<JoinHandle<()>> = (1..threads)
            .map(|index| {
                let shared = Arc::clone(&shared);
                thread::Builder::new()
                    .name(format!("nn-core worker {index}"))
                    .spawn(move || worker_loop(&shared))
                    .expect("the OS refused to start a worker thread")
            })
            .collect();
        let threads = workers.iter().map(|w| w.thread().clone()).collect();
        shared.worker_threads.set(threads).expect("set once, here");
        ThreadPool { shared, workers }
    }

    /// A pool with one thread per core the OS gives this process ([`available_cores`]).
    pub fn with_available_cores() -> ThreadPool {
        ThreadPool::new(available_cores())
    }

    pub fn threads(&self) -> usize {
        self.shared.threads
    }

    /// Runs `f` on the calling thread with this pool as the one its matrix products use.
    /// Outside any `install`, products run on the calling thread alone.
    pub fn install<R>(&self, f: impl FnOnce() -> R) -> R {
        let previous = CURRENT.replace(Some(Arc::clone(&self.shared)));
        let _restore = RestoreOnDrop(previous);
        f()
    }
}

/// The cores this process may run on (its CPU affinity and quota), at least 1.
pub fn available_cores() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

struct RestoreOnDrop(Option<Arc<Shared>>);

impl Drop for RestoreOnDrop {
    fn drop(&mut self) {
        CURRENT.set(self.0.take());
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        for worker in &self.workers {
            worker.thread().unpark();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// The number of threads the products on this thread may use.
pub(crate) fn current_threads() -> usize {
    CURRENT.with_borrow(|pool| pool.as_ref().map_or(1, |p| p.threads))
}

/// A chunk length that cuts `len` items into one chunk per thread of the current pool, but
/// keeps at least `min_chunk` items per chunk: below that, handing work to another thread costs
/// more than doing it.
pub(crate) fn chunk_per_thread(len: usize, min_chunk: usize) -> usize {
    len.div_ceil(current_threads()).max(min_chunk).max(1)
}

/// Calls `work(i)` once for every `i < count`, on whichever threads of the current pool are
/// running: each takes the next index not yet taken. Nothing may depend on which thread runs
/// which index.
pub(crate) fn for_each_index(count: usize, work: impl Fn(usize) + Sync) {
    let pool = CURRENT
        .with_borrow(|pool| pool.clone())
        .filter(|p| p.threads > 1 && count > 1 && count <= HALF as usize);
    // A pool that is already running a job (a nested call, or another thread's) is busy, and
    // one whose workers were late lately is left alone for a while; doing the work right here
    // gives the same results.
    let dispatch = pool
        .as_ref()
        .filter(|p| !p.lock_backoff().solo())
        .and_then(|p| Dispatch::begin(p));
    match dispatch {
        Some(dispatch) => dispatch.run(&work, count),
        None => (0..count).for_each(work),
    }
}

/// Calls `work(t, chunk)` for every chunk of `chunk_len` items of `data` (the last may be
/// shorter), on the threads of the current pool. Public so that other crates can spread work
/// that is not a matrix product over the same threads, such as distorting the images of a
/// batch (`datasets`); `work` must give the same result whichever thread runs it.
pub fn for_each_chunk_mut<T: Send>(
    data: &mut [T],
    chunk_len: usize,
    work: impl Fn(usize, &mut [T]) + Sync,
) {
    let chunks = DisjointChunks::new(data, chunk_len);
    for_each_index(chunks.count, |t| {
        // SAFETY: `for_each_index` visits every index exactly once, so chunk `t` is borrowed
        // by this call alone.
        work(t, unsafe { chunks.get(t) })
    });
}

/// [`for_each_chunk_mut`] for two slices of the same length, cut at the same places.
pub(crate) fn for_each_chunk_pair_mut<A: Send, B: Send>(
    a: &mut [A],
    b: &mut [B],
    chunk_len: usize,
    work: impl Fn(usize, &mut [A], &mut [B]) + Sync,
) {
    assert_eq!(a.len(), b.len(), "paired slices must have the same length");
    let (a, b) = (
        DisjointChunks::new(a, chunk_len),
        DisjointChunks::new(b, chunk_len),
    );
    for_each_index(a.count, |t| {
        // SAFETY: `for_each_index` visits every index exactly once, so chunk `t` of each slice
        // is borrowed by this call alone.
        let (a_t, b_t) = unsafe { (a.get(t), b.get(t)) };
        work(t, a_t, b_t)
    });
}

/// A slice cut into chunks that different threads may hold mutably at the same time, because
/// no two of them overlap.
pub(crate) struct DisjointChunks<'a, T> {
    ptr: *mut T,
    len: usize,
    chunk_len: usize,
    count: usize,
    _data: PhantomData<&'a mut [T]>,
}

// SAFETY: it only ever hands out disjoint `&mut [T]`, which may go to another thread if `T` may.
unsafe impl<T: Send> Sync for DisjointChunks<'_, T> {}

impl<'a, T> DisjointChunks<'a, T> {
    pub(crate) fn new(data: &'a mut [T], chunk_len: usize) -> Self {
        assert!(chunk_len > 0, "chunks must not be empty");
        DisjointChunks {
            ptr: data.as_mut_ptr(),
            len: data.len(),
            chunk_len,
            count: data.len().div_ceil(chunk_len),
            _data: PhantomData,
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Chunk `t`, items `[t·chunk_len, (t+1)·chunk_len)`.
    ///
    /// # Safety
    /// No other reference to chunk `t` may be alive.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn get(&self, t: usize) -> &'a mut [T] {
        assert!(t < self.count, "chunk {t} of {}", self.count);
        let start = t * self.chunk_len;
        let end = (start + self.chunk_len).min(self.len);
        // SAFETY: [start, end) lies inside the borrowed slice; exclusivity is the caller's.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(start), end - start) }
    }
}

/// The right to hand out a job on a pool, released on drop (also while unwinding from a
/// panic, so a panic never leaves the pool serial).
struct Dispatch<'a>(&'a Shared);

impl<'a> Dispatch<'a> {
    fn begin(shared: &'a Shared) -> Option<Dispatch<'a>> {
        let taken = shared
            .busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed);
        // Built only on success: a `Dispatch` built and dropped would release the pool.
        if taken.is_ok() {
            Some(Dispatch(shared))
        } else {
            None
        }
    }

    /// Publishes the job, takes chunks alongside the workers, waits for the chunks still
    /// running elsewhere, then re-raises the first panic of any chunk.
    fn run(&self, work: &(dyn Fn(usize) + Sync), count: usize) {
        let shared = self.0;
        let job = Job {
            work,
            caller: thread::current(),
        };
        shared.done.store(0, Ordering::Relaxed);
        shared.failed.store(false, Ordering::Relaxed);
        shared.count.store(count, Ordering::Relaxed);
        // The lifetime of `job` is erased here: it stays alive until every chunk is done,
        // and no thread touches it after that (see `run_chunks`).
        let job_ptr = (&raw const job).cast_mut().cast::<Job<'static>>();
        shared.job.store(job_ptr, Ordering::Relaxed);
        let generation = (shared.claim.load(Ordering::Relaxed) >> 32).wrapping_add(1) & HALF;
        // Release: a worker that sees the new generation also sees the job, its count and
        // `done = 0`.
        shared.claim.store(generation << 32, Ordering::Release);
        for worker in shared.worker_threads.get().map_or(&[][..], Vec::as_slice) {
            worker.unpark(); // an atomic store unless the worker was parked
        }

        // Chunks never unwind out of `run_chunks` (it catches their panics), so this thread
        // always gets to wait below, and `job` outlives every use of it.
        let started = Instant::now();
        let own_chunks = run_chunks(shared, generation);
        let computed = started.elapsed();
        wait_for_chunks(shared, count);
        // A job that panicked says nothing about the machine.
        let failed = shared.failed.load(Ordering::Relaxed);
        if let Some(per_chunk) = computed.checked_div(own_chunks as u32).filter(|_| !failed) {
            let alone = per_chunk * count as u32;
            shared
                .lock_backoff()
                .record(started.elapsed() > alone + STALL);
        }
        let payload = shared
            .panic
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(payload) = payload {
            panic::resume_unwind(payload);
        }
    }
}

impl Shared {
    fn lock_backoff(&self) -> std::sync::MutexGuard<'_, Backoff> {
        self.backoff.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Running jobs on the caller alone while the machine is busy. On a busy machine any thread
/// can be descheduled for milliseconds; a job whose last chunk sits on such a worker waits for
/// it, and waits like this make the default thread count slower than one thread. So after
/// such a stall the caller works alone for a while, then tries its workers again.
struct Backoff {
    solo_until: Option<Instant>,
    next_solo: Duration,
}

impl Backoff {
    fn solo(&self) -> bool {
        self.solo_until.is_some_and(|until| Instant::now() < until)
    }

    /// After a job offered to the workers: `stalled` if it waited for them (see [`STALL`]).
    fn record(&mut self, stalled: bool) {
        if stalled {
            self.solo_until = Some(Instant::now() + self.next_solo);
            self.next_solo = (2 * self.next_solo).min(LONGEST_SOLO);
        } else {
            self.solo_until = None;
            self.next_solo = FIRST_SOLO;
        }
    }
}

impl Drop for Dispatch<'_> {
    fn drop(&mut self) {
        self.0.busy.store(false, Ordering::Release);
    }
}

/// Each half of `claim`: the job's generation above, the next chunk below.
const HALF: u64 = u32::MAX as u64;

/// Waits until all `count` chunks of the current job are done.
fn wait_for_chunks(shared: &Shared, count: usize) {
    let started = Instant::now();
    let mut spins = 0u32;
    // Acquire: what the workers wrote in their chunks is visible after this loop.
    while shared.done.load(Ordering::Acquire) < count {
        spins = spins.wrapping_add(1);
        if !spins.is_multiple_of(64) || started.elapsed() < SPIN_FOR_WORKERS {
            std::hint::spin_loop();
        } else {
            // The worker holding the last chunk is probably descheduled: give it this core.
            // Whoever finishes the last chunk unparks us; the timeout only bounds the cost of
            // a wake-up we cannot miss, but that costs nothing to cover.
            thread::park_timeout(Duration::from_millis(1));
        }
    }
}

/// Claims and runs chunks of job `generation` until none is left (or a newer job replaced it);
/// returns how many it ran.
fn run_chunks(shared: &Shared, generation: u64) -> usize {
    let mut claim = shared.claim.load(Ordering::Acquire);
    let mut ran = 0;
    loop {
        if claim >> 32 != generation {
            return ran;
        }
        let chunk = (claim & HALF) as usize;
        // This may already be the count of a newer job, but then the claim below fails: the
        // generation has moved on.
        if chunk >= shared.count.load(Ordering::Relaxed) {
            return ran;
        }
        if let Err(now) = shared.claim.compare_exchange_weak(
            claim,
            claim + 1,
            Ordering::Acquire,
            Ordering::Acquire,
        ) {
            claim = now;
            continue;
        }
        // SAFETY: the claim succeeded, so `chunk` of job `generation` is ours and not done:
        // its dispatcher is still waiting for it, and the job on its stack is alive until we
        // report the chunk done below.
        let job = unsafe { &*shared.job.load(Ordering::Relaxed) };
        if !shared.failed.load(Ordering::Relaxed) {
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| (job.work)(chunk)));
            if let Err(payload) = outcome {
                shared.failed.store(true, Ordering::Relaxed);
                let mut first = shared.panic.lock().unwrap_or_else(PoisonError::into_inner);
                first.get_or_insert(payload);
            }
        }
        // Cloned before reporting: once the last chunk is reported, the job may be gone.
        let caller = job.caller.clone();
        // Release: the dispatcher sees this chunk's writes once it sees the count.
        let count = shared.count.load(Ordering::Relaxed);
        if shared.done.fetch_add(1, Ordering::Release) + 1 == count {
            caller.unpark();
        }
        ran += 1;
        claim = shared.claim.load(Ordering::Acquire);
    }
}

fn worker_loop(shared: &Shared) {
    let mut seen = 0;
    loop {
        seen = wait_for_job(shared, seen);
        if shared.shutdown.load(Ordering::SeqCst) {
            return;
        }
        run_chunks(shared, seen);
    }
}

/// Waits until a job newer than `seen` is published (or the pool shuts down) and returns its
/// generation: spinning, then yielding, then parked until a dispatcher unparks us.
fn wait_for_job(shared: &Shared, seen: u64) -> u64 {
    let started = Instant::now();
    let mut spins = 0u32;
    loop {
        let generation = shared.claim.load(Ordering::Acquire) >> 32;
        if generation != seen || shared.shutdown.load(Ordering::Relaxed) {
            return generation;
        }
        spins = spins.wrapping_add(1);
        if !spins.is_multiple_of(64) {
            std::hint::spin_loop();
            continue;
        }
        let waited = started.elapsed();
        if waited < SPIN_FOR_A_JOB {
            std::hint::spin_loop();
        } else if waited < SPIN_FOR_A_JOB + YIELD_FOR_A_JOB {
            thread::yield_now();
        } else {
            // A dispatcher publishes the job, then unparks every worker; an unpark that comes
            // between the check above and this call makes it return at once.
            thread::park();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::thread::ThreadId;

    /// Runs a job of `count` chunks in which every chunk waits (up to 10 s) until all of them
    /// have started, and returns the threads they ran on: only a pool that really runs its
    /// chunks on `count` threads at once gets through without the timeout.
    fn chunks_that_wait_for_each_other(pool: &ThreadPool, count: usize) -> HashSet<ThreadId> {
        let started = AtomicUsize::new(0);
        let ran_on = Mutex::new(HashSet::new());
        pool.install(|| {
            for_each_index(count, |_| {
                ran_on.lock().unwrap().insert(thread::current().id());
                started.fetch_add(1, Ordering::SeqCst);
                let waited = Instant::now();
                while started.load(Ordering::SeqCst) < count
                    && waited.elapsed() < Duration::from_secs(10)
                {
                    thread::yield_now();
                }
            })
        });
        ran_on.into_inner().unwrap()
    }

    #[test]
    fn every_index_runs_exactly_once() {
        for threads in [1, 2, 3, 5] {
            let pool = ThreadPool::new(threads);
            let hits: Vec<AtomicUsize> = (0..37).map(|_| AtomicUsize::new(0)).collect();
            pool.install(|| {
                for _ in 0..100 {
                    for_each_index(hits.len(), |i| {
                        hits[i].fetch_add(1, Ordering::Relaxed);
                    });
                }
            });
            assert!(
                hits.iter().all(|h| h.load(Ordering::Relaxed) == 100),
                "{threads} threads"
            );
        }
    }

    #[test]
    fn the_chunks_of_a_job_run_on_every_thread_of_the_pool() {
        for threads in [2, 3] {
            let pool = ThreadPool::new(threads);
            let ran_on = chunks_that_wait_for_each_other(&pool, threads);
            assert_eq!(ran_on.len(), threads, "{threads} threads");
        }
    }

    #[test]
    fn no_chunk_waits_for_a_particular_thread() {
        // The worker takes one chunk and then stalls, as a descheduled thread would, until
        // the caller has done all seven others: with chunks dealt out to threads in advance,
        // the caller could not reach the worker's share and this would time out.
        let pool = ThreadPool::new(2);
        let here = thread::current().id();
        let (on_caller, on_worker) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let wait_until = |done: &dyn Fn() -> bool| {
            let waited = Instant::now();
            while !done() && waited.elapsed() < Duration::from_secs(10) {
                thread::yield_now();
            }
        };
        pool.install(|| {
            for_each_index(8, |_| {
                if thread::current().id() == here {
                    // Let the worker take its chunk first.
                    wait_until(&|| on_worker.load(Ordering::SeqCst) > 0);
                    on_caller.fetch_add(1, Ordering::SeqCst);
                } else {
                    on_worker.fetch_add(1, Ordering::SeqCst);
                    wait_until(&|| on_caller.load(Ordering::SeqCst) == 7);
                }
            })
        });
        assert_eq!(on_worker.load(Ordering::SeqCst), 1);
        assert_eq!(on_caller.load(Ordering::SeqCst), 7);
    }

    #[test]
    fn chunks_cover_the_slice() {
        let pool = ThreadPool::new(3);
        let mut data = vec![0usize; 1000];
        let mut twin = vec![0usize; 1000];
        pool.install(|| {
            for_each_chunk_mut(&mut data, 64, |t, chunk| {
                chunk.iter_mut().for_each(|v| *v += t + 1)
            });
            for_each_chunk_pair_mut(&mut data, &mut twin, 64, |t, a, b| {
                for (a, b) in a.iter_mut().zip(b) {
                    *b = *a * 10 + t;
                }
            });
        });
        for (i, (&a, &b)) in data.iter().zip(&twin).enumerate() {
            assert_eq!(a, i / 64 + 1);
            assert_eq!(b, a * 10 + i / 64);
        }
    }

    /// Runs `job` on `pool`, expecting it to panic, and returns the panic's message.
    fn panic_message(pool: &ThreadPool, job: impl Fn(usize) + Sync, count: usize) -> String {
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.install(|| for_each_index(count, &job))
        }));
        let payload = result.expect_err("the job should have panicked");
        match payload.downcast::<String>() {
            Ok(message) => *message,
            Err(payload) => payload.downcast::<&str>().unwrap().to_string(),
        }
    }

    #[test]
    fn a_panic_in_a_chunk_reaches_the_caller_once_and_leaves_the_pool_whole() {
        let pool = ThreadPool::new(2);
        // One chunk panics, wherever it runs.
        let message = panic_message(&pool, |i| assert!(i != 1, "chunk 1 fails"), 2);
        assert_eq!(message, "chunk 1 fails");
        // Both chunks panic, on two different threads at once: one panic reaches the caller,
        // and none is left behind.
        let started = AtomicUsize::new(0);
        let both = |i: usize| {
            started.fetch_add(1, Ordering::SeqCst);
            let waited = Instant::now();
            while started.load(Ordering::SeqCst) < 2 && waited.elapsed() < Duration::from_secs(10) {
                thread::yield_now();
            }
            panic!("chunk {i} fails");
        };
        let message = panic_message(&pool, both, 2);
        assert!(message == "chunk 0 fails" || message == "chunk 1 fails");
        // A job that succeeds afterwards does not re-raise a stored panic...
        let count = AtomicUsize::new(0);
        pool.install(|| for_each_index(4, |_| _ = count.fetch_add(1, Ordering::Relaxed)));
        assert_eq!(count.load(Ordering::Relaxed), 4);
        // ...and still runs on both threads: the worker survived and the pool is not serial.
        let ran_on = chunks_that_wait_for_each_other(&pool, 2);
        assert_eq!(ran_on.len(), 2, "after a panic the pool runs on one thread");
    }

    #[test]
    fn nested_and_concurrent_use_fall_back_to_the_calling_thread() {
        let pool = ThreadPool::new(2);
        let count = AtomicUsize::new(0);
        thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    pool.install(|| {
                        for_each_index(4, |_| {
                            for_each_index(3, |_| _ = count.fetch_add(1, Ordering::Relaxed));
                        })
                    })
                });
            }
        });
        assert_eq!(count.load(Ordering::Relaxed), 3 * 4 * 3);
    }

    #[test]
    fn outside_install_everything_runs_here() {
        assert_eq!(current_threads(), 1);
        let here = thread::current().id();
        for_each_index(3, |_| assert_eq!(thread::current().id(), here));
        let pool = ThreadPool::new(4);
        pool.install(|| assert_eq!(current_threads(), 4));
        assert_eq!(current_threads(), 1);
    }

    #[test]
    fn parked_workers_wake_up_for_the_next_job() {
        let pool = ThreadPool::new(2);
        chunks_that_wait_for_each_other(&pool, 2);
        // Long enough for the worker to stop spinning and yielding, and park.
        thread::sleep(10 * (SPIN_FOR_A_JOB + YIELD_FOR_A_JOB));
        let ran_on = chunks_that_wait_for_each_other(&pool, 2);
        assert_eq!(ran_on.len(), 2, "the parked worker did not take a chunk");
    }

    #[test]
    fn after_a_stall_the_caller_works_alone_for_a_while() {
        let pool = ThreadPool::new(2);
        pool.shared.lock_backoff().record(true);
        let here = thread::current().id();
        pool.install(|| for_each_index(8, |_| assert_eq!(thread::current().id(), here)));
        // Once the time is up the workers are offered chunks again.
        pool.shared.lock_backoff().solo_until = Some(Instant::now());
        assert_eq!(chunks_that_wait_for_each_other(&pool, 2).len(), 2);
        // A job that went well resets the backoff.
        assert_eq!(pool.shared.lock_backoff().next_solo, FIRST_SOLO);
    }
}
