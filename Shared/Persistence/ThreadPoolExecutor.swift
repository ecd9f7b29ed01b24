import NIOPosix

/// A task executor whose jobs run on SQLite's own thread pool (one thread).
///
/// Why: a transaction is a chain of statements, each handed to that thread and awaited. Resumed on
/// the global executor, the task behind it would cross to another thread and back for every
/// statement, and on a busy machine each crossing waits for the scheduler — while the transaction
/// holds SQLite's only writer. Resumed here, it runs on the thread that just finished the statement,
/// and the next statement is already queued where it will run.
final class ThreadPoolExecutor: TaskExecutor {
    private let pool: NIOThreadPool

    init(pool: NIOThreadPool) {
        self.pool = pool
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // Run even when the pool has shut down (then on the calling thread): a job never run is a
        // task that never ends.
        pool.submit { _ in job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
